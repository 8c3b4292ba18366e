using System.Globalization;
using System.Text;
using System.Text.Json;
using Ntm.Io;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// The folder of a training run and every file in it: <c>config.json</c> (the <see cref="RunSettings"/>),
/// <c>metrics.jsonl</c> (one <see cref="MetricsLine"/> per report), <c>model.safetensors</c> (the trained
/// weights), <c>best.safetensors</c> (the weights of the best report so far) and <c>checkpoint.safetensors</c>
/// (weights, optimiser state and the data stream's random state, for <see cref="TrainingSession.Resume"/>).
/// Whole files are written to a temporary name and renamed, so a crash at any moment leaves the previous
/// version whole; metrics lines are appended. <see cref="TrainingSession"/> writes a run folder; <see cref="Open"/>
/// reads one.
/// </summary>
public sealed class RunFolder
{
    /// <summary>The run's configuration file.</summary>
    public const string ConfigFileName = "config.json";
    /// <summary>The metrics file, one JSON object per line.</summary>
    public const string MetricsFileName = "metrics.jsonl";
    /// <summary>The trained weights (safetensors), written when training stops.</summary>
    public const string ModelFileName = "model.safetensors";
    /// <summary>
    /// The weights at the report with the lowest evaluation cost so far, written whenever a report
    /// beats it: what to keep when a long run's cost later rises again. For a task with a known floor
    /// (<see cref="IOptimalCostTask"/>) "lowest" means closest to the optimal predictor's cost on the
    /// same evaluation set (<see cref="MetricsLine.SelectionCostBits"/>), since every report draws a
    /// fresh set whose own optimum varies by a few bits.
    /// </summary>
    public const string BestModelFileName = "best.safetensors";
    /// <summary>The resumable checkpoint (safetensors).</summary>
    public const string CheckpointFileName = "checkpoint.safetensors";

    private const string CheckpointParamPrefix = "param.";
    // When the run was first solved; absent until it is. Checkpoints written before the solved rule carry
    // "ntm.converged" instead (the earlier, weaker rule), which is read past: such a run is checked again.
    private const string FirstSolvedSequencesKey = "ntm.first_solved_sequences", FirstSolvedSecondsKey = "ntm.first_solved_seconds";
    private const string OptimizerPrefix = "optimizer.";
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private ISequenceTask? _task;

    private RunFolder(string directory, RunSettings settings, ISequenceTask? task)
    {
        Directory = directory;
        Settings = settings;
        _task = task;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>The settings in <c>config.json</c>.</summary>
    public RunSettings Settings { get; }

    /// <summary>The task the settings describe (made on first use).</summary>
    /// <exception cref="NtmException">The task's settings are invalid or its data cannot be read.</exception>
    public ISequenceTask Task => _task ??= TaskCatalog.Create(Settings.Task, Settings.TaskSettings);

    /// <summary>The path of <c>config.json</c>.</summary>
    public string ConfigPath => Path.Combine(Directory, ConfigFileName);
    /// <summary>The path of <c>metrics.jsonl</c>.</summary>
    public string MetricsPath => Path.Combine(Directory, MetricsFileName);
    /// <summary>The path of <c>model.safetensors</c>.</summary>
    public string ModelPath => Path.Combine(Directory, ModelFileName);
    /// <summary>The path of <c>best.safetensors</c>.</summary>
    public string BestModelPath => Path.Combine(Directory, BestModelFileName);
    /// <summary>The path of <c>checkpoint.safetensors</c>.</summary>
    public string CheckpointPath => Path.Combine(Directory, CheckpointFileName);

    /// <summary>Opens the run in <paramref name="directory"/> and reads its settings.</summary>
    /// <exception cref="InvalidFileException">The folder does not exist, holds no run (no <c>config.json</c>), or its settings are unreadable or invalid.</exception>
    public static RunFolder Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new InvalidFileException(directory, "no such folder.");
        string path = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(path))
            throw new InvalidFileException(directory, $"not a run folder: it has no {ConfigFileName}.");
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new InvalidFileException(path, $"cannot be read: {e.Message}", e); }
        RunSettings settings = Json.Parse<RunSettings>(text, path, "run configuration");
        try { settings.Validate(); }
        catch (InvalidConfigurationException e) { throw new InvalidFileException(path, e.Message, e); }
        return new RunFolder(directory, settings, null);
    }

    /// <summary>
    /// Starts a run in <paramref name="directory"/> (created if missing): writes <paramref name="settings"/>
    /// as <c>config.json</c> and an empty <c>metrics.jsonl</c>.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The folder already holds a run.</exception>
    internal static RunFolder Create(string directory, RunSettings settings, ISequenceTask task)
    {
        if (File.Exists(Path.Combine(directory, ConfigFileName)))
            throw new InvalidConfigurationException($"{directory} already holds a run; resume it with --resume or choose another --out folder.");
        System.IO.Directory.CreateDirectory(directory);
        var folder = new RunFolder(directory, settings, task);
        AtomicFile.WriteAllText(folder.ConfigPath, JsonSerializer.Serialize(settings, Json.Indented) + "\n");
        AtomicFile.WriteAllText(folder.MetricsPath, "");
        return folder;
    }

    // ------------------------------------------------------------------ metrics

    /// <summary>The run's metrics lines, in order (empty if it has none yet).</summary>
    /// <exception cref="InvalidFileException">A line is malformed; the message gives its number.</exception>
    public IReadOnlyList<MetricsLine> ReadMetrics() => File.Exists(MetricsPath) ? ReadMetricsFile(MetricsPath) : [];

    /// <summary>
    /// Reads a metrics file: one JSON object per line with the numbers <c>sequences</c> (a whole number),
    /// <c>seconds</c> and <c>train_cost_bits</c>; <c>eval_cost_bits</c> and <c>eval_bit_errors</c>, which may be
    /// <c>null</c> where no evaluation was run; and optionally <c>train_bit_errors</c>,
    /// <c>eval_optimal_cost_bits</c>, <c>solved_check_bit_errors</c> and <c>solved_confirm_bit_errors</c> (number or
    /// <c>null</c>). No number may be negative. Other fields are ignored.
    /// </summary>
    /// <param name="path">The file, e.g. a run's <c>metrics.jsonl</c>.</param>
    /// <returns>Every line, in order (empty for an empty file).</returns>
    /// <exception cref="InvalidFileException">The file is missing or unreadable, or a line is malformed; the message gives the line number.</exception>
    public static IReadOnlyList<MetricsLine> ReadMetricsFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found.");
        try
        {
            return File.ReadLines(path).Select((line, i) => MetricsParser.Parse(path, i + 1, line)).ToList();
        }
        catch (IOException e)
        {
            throw new InvalidFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Appends one line to <c>metrics.jsonl</c> (UTF-8, no byte-order mark).</summary>
    internal void AppendMetrics(MetricsLine line)
        => File.AppendAllText(MetricsPath, JsonSerializer.Serialize(line, Json.Compact) + "\n", Utf8);

    /// <summary>
    /// Keeps the first <paramref name="count"/> lines of <c>metrics.jsonl</c> exactly as written and drops the
    /// rest (atomically); returns the kept lines.
    /// </summary>
    /// <exception cref="InvalidFileException">The file has fewer lines, or a kept line is malformed.</exception>
    internal IReadOnlyList<MetricsLine> KeepMetrics(long count)
    {
        string path = MetricsPath;
        string[] lines;
        try { lines = File.Exists(path) ? File.ReadAllLines(path) : []; }
        catch (IOException e) { throw new InvalidFileException(path, $"cannot be read: {e.Message}", e); }
        if (lines.Length < count)
            throw new InvalidFileException(path, $"has {lines.Length} lines but the checkpoint was written after {count}.");
        string[] kept = lines[..(int)count];
        var metrics = kept.Select((line, i) => MetricsParser.Parse(path, i + 1, line)).ToList();
        AtomicFile.WriteAllText(path, string.Concat(kept.Select(l => l + "\n")));
        return metrics;
    }

    // ------------------------------------------------------------------ weights

    /// <summary>
    /// Loads the trained machine: <c>model.safetensors</c>, or with <paramref name="best"/> <c>best.safetensors</c>;
    /// its widths are checked against <see cref="Task"/>.
    /// </summary>
    /// <exception cref="InvalidFileException">The file is not written yet, is malformed, or does not fit the task.</exception>
    public NeuralTuringMachine LoadModel(bool best = false)
    {
        string path = best ? BestModelPath : ModelPath;
        if (!File.Exists(path))
            throw new InvalidFileException(path, best
                ? "not written yet: the run has not written an evaluation report."
                : "not written yet: has this run finished training?");
        NeuralTuringMachine model = ModelFile.Load(path);
        ISequenceTask task = Task;
        if (model.Config.InputSize != task.InputSize || model.Config.OutputSize != task.OutputSize)
            throw new InvalidFileException(path, $"the machine's widths ({model.Config.InputSize} in, {model.Config.OutputSize} out) do not match task '{task.Name}'.");
        return model;
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <c>model.safetensors</c>, or with <paramref name="best"/> to
    /// <c>best.safetensors</c> (atomically), with the task, the sequences trained on and the last evaluation cost in the metadata.
    /// </summary>
    internal void WriteModel(NeuralTuringMachine model, bool best, long sequences, double? evalCostBits)
    {
        var meta = new Dictionary<string, string>
        {
            ["ntm.task"] = Settings.Task,
            ["ntm.task_settings"] = JsonSerializer.Serialize(Settings.TaskSettings, Json.Compact),
            ["ntm.sequences"] = sequences.ToString(CultureInfo.InvariantCulture),
        };
        if (evalCostBits is { } cost) meta["ntm.eval_cost_bits"] = cost.ToString("R", CultureInfo.InvariantCulture);
        ModelFile.Save(best ? BestModelPath : ModelPath, model, meta);
    }

    /// <summary>The task with every sequence of length <paramref name="length"/> (copy-like tasks only).</summary>
    /// <exception cref="InvalidConfigurationException">The task has no sequence length to set.</exception>
    public ISequenceTask TaskWithLength(int length)
        => (Task as SequenceTask)?.Axis is { Name: TaskAxis.LengthName } axis
            ? axis.At(length)
            : throw new InvalidConfigurationException($"Task '{Settings.Task}' has no sequence length to set; use 'ntm generalize' for its own axis.");

    // ------------------------------------------------------------------ checkpoint

    /// <summary>Writes <c>checkpoint.safetensors</c> (atomically).</summary>
    internal void WriteCheckpoint(Checkpoint checkpoint)
    {
        var tensors = ModelFile.Tensors(new ParameterLayout(checkpoint.Config), checkpoint.Parameters, CheckpointParamPrefix);
        foreach ((string name, float[] buffer) in checkpoint.OptimizerState)
            tensors.Add(new NamedTensor(OptimizerPrefix + name, [buffer.Length], (float[])buffer.Clone()));
        var meta = new Dictionary<string, string>
        {
            [ModelFile.FormatKey] = ModelFile.FormatVersion,
            [ModelFile.ConfigKey] = JsonSerializer.Serialize(checkpoint.Config, Json.Compact),
            ["ntm.data_rng"] = string.Join(",", checkpoint.DataRng.GetState().Select(x => x.ToString(CultureInfo.InvariantCulture))),
            ["ntm.sequences"] = checkpoint.Sequences.ToString(CultureInfo.InvariantCulture),
            ["ntm.optimizer_steps"] = checkpoint.OptimizerSteps.ToString(CultureInfo.InvariantCulture),
            ["ntm.metrics_lines"] = checkpoint.MetricsLines.ToString(CultureInfo.InvariantCulture),
            ["ntm.seconds"] = checkpoint.Seconds.ToString("R", CultureInfo.InvariantCulture),
        };
        if (checkpoint.FirstSolved is { } solved)
        {
            meta[FirstSolvedSequencesKey] = solved.Sequences.ToString(CultureInfo.InvariantCulture);
            meta[FirstSolvedSecondsKey] = solved.Seconds.ToString("R", CultureInfo.InvariantCulture);
        }
        SafeTensorsFile.Write(CheckpointPath, tensors, meta);
    }

    /// <summary>Reads <c>checkpoint.safetensors</c>; its machine must be the one in <c>config.json</c>.</summary>
    /// <exception cref="InvalidFileException">The checkpoint is missing, malformed, or of another machine.</exception>
    internal Checkpoint ReadCheckpoint()
    {
        string path = CheckpointPath;
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        NtmConfig config = ModelFile.ReadConfig(content, path);
        if (config != Settings.Model)
            throw new InvalidFileException(path, $"its machine configuration does not match {ConfigFileName}.");
        ParameterLayout layout = ModelFile.CheckedLayout(content, path, config, CheckpointParamPrefix);
        var values = new float[layout.Count];
        ModelFile.Fill(content, path, layout, values, CheckpointParamPrefix);
        var optimizer = new List<(string Name, float[] Buffer)>();
        foreach (NamedTensor t in content.Tensors)
            if (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                optimizer.Add((t.Name[OptimizerPrefix.Length..], t.Data));
        Rng rng;
        try { rng = Rng.FromState(ParseState(content, path)); }
        catch (ArgumentException e) { throw new InvalidFileException(path, e.Message, e); }
        return new Checkpoint(config, values, optimizer, rng,
            ParseLong(content, path, "ntm.sequences"),
            ParseLong(content, path, "ntm.optimizer_steps"),
            ParseLong(content, path, "ntm.metrics_lines"),
            ParseDouble(content, path, "ntm.seconds"),
            content.Metadata.ContainsKey(FirstSolvedSequencesKey) || content.Metadata.ContainsKey(FirstSolvedSecondsKey)
                ? new SolvedAt(ParseLong(content, path, FirstSolvedSequencesKey), ParseDouble(content, path, FirstSolvedSecondsKey))
                : null);
    }

    private static ulong[] ParseState(SafeTensorsContent content, string path)
    {
        if (!content.Metadata.TryGetValue("ntm.data_rng", out string? s))
            throw new InvalidFileException(path, "no 'ntm.data_rng' (the data stream's random state) in the metadata.");
        string[] parts = s.Split(',');
        var state = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!ulong.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out state[i]))
                throw new InvalidFileException(path, $"'ntm.data_rng' is not a list of unsigned integers: '{s}'.");
        return state;
    }

    private static long ParseLong(SafeTensorsContent content, string path, string key)
    {
        if (!content.Metadata.TryGetValue(key, out string? s) ||
            !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
            throw new InvalidFileException(path, $"metadata '{key}' is missing or not a non-negative integer.");
        return v;
    }

    private static double ParseDouble(SafeTensorsContent content, string path, string key)
    {
        if (!content.Metadata.TryGetValue(key, out string? s) ||
            !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0) || double.IsInfinity(v))
            throw new InvalidFileException(path, $"metadata '{key}' is missing or not a non-negative number.");
        return v;
    }
}

/// <summary>Everything <c>checkpoint.safetensors</c> holds: what a resumed run needs to continue exactly.</summary>
/// <param name="Config">The machine's configuration.</param>
/// <param name="Parameters">The machine's parameters.</param>
/// <param name="OptimizerState">The optimiser's buffers, each with its name.</param>
/// <param name="DataRng">The training data stream.</param>
/// <param name="Sequences">Training sequences consumed.</param>
/// <param name="OptimizerSteps">Updates made.</param>
/// <param name="MetricsLines">Metrics lines written before the checkpoint.</param>
/// <param name="Seconds">Wall-clock seconds of training so far.</param>
/// <param name="FirstSolved">
/// When the run was first solved (<see cref="SolvedRule"/>), or null if it has not been; null too for a checkpoint
/// written before the rule, whose <c>ntm.converged</c> flag (a weaker rule) is not taken as solved.
/// </param>
internal sealed record Checkpoint(NtmConfig Config, float[] Parameters, IReadOnlyList<(string Name, float[] Buffer)> OptimizerState, Rng DataRng,
    long Sequences, long OptimizerSteps, long MetricsLines, double Seconds, SolvedAt? FirstSolved);

/// <summary>The one parser of metrics lines, with errors that name the file and the line.</summary>
internal static class MetricsParser
{
    internal const string Sequences = "sequences", Seconds = "seconds", TrainCost = "train_cost_bits", TrainBitErrors = "train_bit_errors",
        EvalCost = "eval_cost_bits", EvalBitErrors = "eval_bit_errors", EvalOptimalCost = "eval_optimal_cost_bits",
        SolvedCheck = "solved_check_bit_errors", SolvedConfirm = "solved_confirm_bit_errors";

    /// <summary>Parses line <paramref name="n"/> (1-based) of <paramref name="path"/>.</summary>
    public static MetricsLine Parse(string path, int n, string line)
    {
        if (string.IsNullOrWhiteSpace(line)) throw new InvalidFileException(path, $"line {n}: empty line; expected a JSON object.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"line {n}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidFileException(path, $"line {n}: expected a JSON object, found {root.ValueKind}.");
            return new MetricsLine(
                WholeNumber(path, n, root, Sequences),
                Number(path, n, root, Seconds, required: true, allowNull: false)!.Value,
                Number(path, n, root, TrainCost, required: true, allowNull: false)!.Value,
                Number(path, n, root, TrainBitErrors, required: false, allowNull: true),
                Number(path, n, root, EvalCost, required: true, allowNull: true),
                Number(path, n, root, EvalBitErrors, required: true, allowNull: true),
                Number(path, n, root, EvalOptimalCost, required: false, allowNull: true),
                Number(path, n, root, SolvedCheck, required: false, allowNull: true),
                Number(path, n, root, SolvedConfirm, required: false, allowNull: true));
        }
    }

    /// <summary>A non-negative number field; <c>null</c> where allowed and written as null, or where optional and absent.</summary>
    private static double? Number(string path, int n, JsonElement root, string name, bool required, bool allowNull)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
            return required ? throw new InvalidFileException(path, $"line {n}: missing field \"{name}\".") : null;
        if (value.ValueKind == JsonValueKind.Null && allowNull) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw new InvalidFileException(path, $"line {n}: field \"{name}\" must be a number{(allowNull ? " or null" : "")}, found {value.GetRawText()}.");
        if (number < 0)
            throw new InvalidFileException(path, $"line {n}: field \"{name}\" must not be negative, found {number}.");
        return number;
    }

    /// <summary>A required, non-negative whole-number field.</summary>
    private static long WholeNumber(string path, int n, JsonElement root, string name)
    {
        double number = Number(path, n, root, name, required: true, allowNull: false)!.Value;
        if (root.GetProperty(name).TryGetInt64(out long whole)) return whole;
        if (number == Math.Floor(number) && number < 9.2e18) return (long)number;
        throw new InvalidFileException(path, $"line {n}: field \"{name}\" must be a whole number, found {root.GetProperty(name).GetRawText()}.");
    }
}
