using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ntm.Io;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// A training run that lives in a folder: <c>config.json</c> (the <see cref="RunSettings"/>),
/// <c>metrics.jsonl</c> (one <see cref="MetricsLine"/> per report), <c>model.safetensors</c> (the
/// trained weights) and <c>checkpoint.safetensors</c> (weights, optimiser state and the data
/// stream's random state, for <see cref="Resume"/>). Every file is written to a temporary name and
/// renamed, so a crash or a kill at any moment leaves the previous checkpoint whole. A resumed run
/// writes exactly the metrics an uninterrupted run would have (wall-clock seconds aside).
/// </summary>
public sealed class TrainingSession
{
    /// <summary>The run's configuration file.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>The metrics file, one JSON object per line.</summary>
    public const string MetricsFile = "metrics.jsonl";
    /// <summary>The trained weights (safetensors).</summary>
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
    public const string CheckpointFile = "checkpoint.safetensors";

    private const string CheckpointParamPrefix = "param.";
    private const string OptimizerPrefix = "optimizer.";

    private readonly List<MetricsLine> _metrics = [];
    private double _priorSeconds;
    private bool _converged;
    private double _bestSelectionCost = double.PositiveInfinity;

    /// <summary>The run's folder.</summary>
    public string Directory { get; }
    /// <summary>The run's settings.</summary>
    public RunSettings Settings { get; }
    /// <summary>The task being learned.</summary>
    public ISequenceTask Task { get; }
    /// <summary>The machine being trained.</summary>
    public NeuralTuringMachine Model { get; }
    /// <summary>The trainer (optimiser state, data stream).</summary>
    public Trainer Trainer { get; }
    /// <summary>Metrics lines written so far (including those of earlier sessions of a resumed run).</summary>
    public IReadOnlyList<MetricsLine> Metrics => _metrics;

    private TrainingSession(string directory, RunSettings settings, ISequenceTask task, NeuralTuringMachine model)
    {
        Directory = directory;
        Settings = settings;
        Task = task;
        Model = model;
        Trainer = new Trainer(model, task, settings.Trainer);
    }

    /// <summary>Creates the task a run's settings describe.</summary>
    public static ISequenceTask CreateTask(RunSettings settings) => TaskCatalog.Create(settings.Task, settings.TaskSettings);

    /// <summary>
    /// Starts a new run in <paramref name="directory"/> (created if missing; it must not already hold a run).
    /// The model's input and output widths are taken from the task.
    /// </summary>
    public static TrainingSession Start(string directory, RunSettings settings)
    {
        ISequenceTask task = CreateTask(settings);
        settings = settings with
        {
            TaskSettings = new Dictionary<string, string>(TaskCatalog.Describe(task)),
            Model = settings.Model with { InputSize = task.InputSize, OutputSize = task.OutputSize },
        };
        settings.Validate();
        if (File.Exists(Path.Combine(directory, ConfigFile)))
            throw new InvalidConfigurationException($"{directory} already holds a run; resume it with --resume or choose another --out folder.");
        System.IO.Directory.CreateDirectory(directory);
        var model = NeuralTuringMachine.Create(settings.Model, settings.ModelSeed);
        var session = new TrainingSession(directory, settings, task, model);
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(settings, Json.Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, MetricsFile), "");
        return session;
    }

    /// <summary>Reads a run's settings from its folder.</summary>
    public static RunSettings ReadSettings(string directory)
    {
        string path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path))
            throw new InvalidFileException(path, "not found: is this the folder of a training run?");
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new InvalidFileException(path, $"cannot be read: {e.Message}", e); }
        RunSettings settings = Json.Parse<RunSettings>(text, path, "run configuration");
        try { return settings.Validate(); }
        catch (InvalidConfigurationException e) { throw new InvalidFileException(path, e.Message, e); }
    }

    /// <summary>
    /// Continues the run in <paramref name="directory"/> from its last checkpoint. Metrics lines written
    /// after that checkpoint are dropped (the resumed run writes them again, identically).
    /// </summary>
    /// <param name="directory">The run's folder.</param>
    /// <param name="maxSequences">A new total sequence budget, or null to keep the saved one.</param>
    /// <param name="threads">Threads to use now (does not change the numbers), or null to keep the saved setting.</param>
    public static TrainingSession Resume(string directory, long? maxSequences = null, int? threads = null)
    {
        RunSettings settings = ReadSettings(directory);
        if (maxSequences is { } max) settings = settings with { MaxSequences = max };
        if (threads is { } th) settings = settings with { Trainer = settings.Trainer with { Threads = th } };
        settings.Validate();
        string path = Path.Combine(directory, CheckpointFile);
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        NtmConfig config = ModelFile.ReadConfig(content, path);
        if (config != settings.Model)
            throw new InvalidFileException(path, $"its machine configuration does not match {ConfigFile}.");
        ParameterLayout layout = ModelFile.CheckedLayout(content, path, config, CheckpointParamPrefix);
        var values = new float[layout.Count];
        ModelFile.Fill(content, path, layout, values, CheckpointParamPrefix);
        var model = NeuralTuringMachine.FromParameters(config, values);
        var session = new TrainingSession(directory, settings, CreateTask(settings), model);

        foreach ((string name, float[] buffer) in session.Trainer.Optimizer.State)
        {
            NamedTensor t = content.Get(OptimizerPrefix + name);
            if (t.Data.Length != buffer.Length)
                throw new InvalidFileException(path, $"optimiser state '{name}' has {t.Data.Length} values, expected {buffer.Length}.");
            t.Data.CopyTo(buffer, 0);
        }
        ulong[] rngState = ParseState(content, path);
        long sequences = ParseLong(content, path, "ntm.sequences");
        long optimizerSteps = ParseLong(content, path, "ntm.optimizer_steps");
        long metricsLines = ParseLong(content, path, "ntm.metrics_lines");
        session._priorSeconds = ParseDouble(content, path, "ntm.seconds");
        session._converged = content.Metadata.TryGetValue("ntm.converged", out string? conv) && conv == "true";
        Rng rng;
        try { rng = Rng.FromState(rngState); }
        catch (ArgumentException e) { throw new InvalidFileException(path, e.Message, e); }
        session.Trainer.Restore(rng, sequences, optimizerSteps);

        // Keep exactly the metrics lines the checkpoint had seen.
        string metricsPath = Path.Combine(directory, MetricsFile);
        string[] lines = File.Exists(metricsPath) ? File.ReadAllLines(metricsPath) : [];
        if (lines.Length < metricsLines)
            throw new InvalidFileException(metricsPath, $"has {lines.Length} lines but the checkpoint was written after {metricsLines}.");
        session._metrics.AddRange(ParseMetrics(lines.Take((int)metricsLines), metricsPath));
        foreach (MetricsLine m in session._metrics) session._bestSelectionCost = Math.Min(session._bestSelectionCost, m.SelectionCostBits);
        AtomicFile.WriteAllText(metricsPath, string.Concat(lines.Take((int)metricsLines).Select(l => l + "\n")));
        return session;
    }

    /// <summary>The metrics lines of the run in <paramref name="directory"/> (empty if it has none yet).</summary>
    public static IReadOnlyList<MetricsLine> ReadMetrics(string directory)
    {
        string path = Path.Combine(directory, MetricsFile);
        return File.Exists(path) ? ParseMetrics(File.ReadLines(path), path) : [];
    }

    private static List<MetricsLine> ParseMetrics(IEnumerable<string> lines, string path)
        => lines.Select((l, i) => Json.Parse<MetricsLine>(l, $"{path} line {i + 1}", "metrics line")).ToList();

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

    /// <summary>Writes <c>checkpoint.safetensors</c> (atomically) with everything needed to resume.</summary>
    public void WriteCheckpoint(double seconds)
    {
        var tensors = ModelFile.Tensors(Model.Layout, Model.Parameters, CheckpointParamPrefix);
        foreach ((string name, float[] buffer) in Trainer.Optimizer.State)
            tensors.Add(new NamedTensor(OptimizerPrefix + name, [buffer.Length], (float[])buffer.Clone()));
        var meta = new Dictionary<string, string>
        {
            [ModelFile.FormatKey] = ModelFile.FormatVersion,
            [ModelFile.ConfigKey] = JsonSerializer.Serialize(Model.Config, Json.Compact),
            ["ntm.data_rng"] = string.Join(",", Trainer.DataRng.GetState().Select(x => x.ToString(CultureInfo.InvariantCulture))),
            ["ntm.sequences"] = Trainer.SequencesSeen.ToString(CultureInfo.InvariantCulture),
            ["ntm.optimizer_steps"] = Trainer.Optimizer.Steps.ToString(CultureInfo.InvariantCulture),
            ["ntm.metrics_lines"] = _metrics.Count.ToString(CultureInfo.InvariantCulture),
            ["ntm.seconds"] = seconds.ToString("R", CultureInfo.InvariantCulture),
            ["ntm.converged"] = _converged ? "true" : "false",
        };
        SafeTensorsFile.Write(Path.Combine(Directory, CheckpointFile), tensors, meta);
    }

    /// <summary>Writes the trained weights to <c>model.safetensors</c>, or to <paramref name="fileName"/> in the run folder (atomically).</summary>
    public void WriteModel(string fileName = ModelFileName)
    {
        var meta = new Dictionary<string, string>
        {
            ["ntm.task"] = Settings.Task,
            ["ntm.task_settings"] = JsonSerializer.Serialize(Settings.TaskSettings, Json.Compact),
            ["ntm.sequences"] = Trainer.SequencesSeen.ToString(CultureInfo.InvariantCulture),
        };
        if (_metrics.Count > 0) meta["ntm.eval_cost_bits"] = _metrics[^1].EvalCostBits.ToString("R", CultureInfo.InvariantCulture);
        ModelFile.Save(Path.Combine(Directory, fileName), Model, meta);
    }

    /// <summary>The evaluation set drawn after <paramref name="sequences"/> training sequences: fresh each time, and the same in a resumed run.</summary>
    public static Rng EvaluationRng(ulong seed, long sequences)
        => new(seed * 0x9E3779B97F4A7C15UL ^ (ulong)sequences ^ 0x5EED_E7A1UL);

    /// <summary>
    /// Trains until converged (if <see cref="RunSettings.StopWhenConverged"/>), out of sequences or time,
    /// or cancelled; writes a metrics line per report, checkpoints on schedule and at the end, and the
    /// trained weights at the end. <paramref name="onReport"/> sees every metrics line as it is written.
    /// </summary>
    public RunSummary Run(Action<MetricsLine>? onReport = null, CancellationToken cancel = default)
    {
        var s = Settings;
        var clock = Stopwatch.StartNew();
        double Seconds() => _priorSeconds + clock.Elapsed.TotalSeconds;
        string metricsPath = Path.Combine(Directory, MetricsFile);
        double trainCost = 0, trainErrors = 0;
        long trainSeqs = 0, lastCheckpoint = Trainer.SequencesSeen;
        string reason;

        if (_converged && s.StopWhenConverged)
            return Finish("it had already converged");

        while (true)
        {
            if (Trainer.SequencesSeen >= s.MaxSequences) { reason = $"reached {s.MaxSequences} sequences"; break; }
            if (s.MaxSeconds > 0 && Seconds() >= s.MaxSeconds) { reason = $"reached {s.MaxSeconds} seconds"; break; }
            if (cancel.IsCancellationRequested) { reason = "interrupted"; break; }

            long before = Trainer.SequencesSeen;
            StepResult r = Trainer.Step();
            int bsz = (int)(Trainer.SequencesSeen - before);
            trainCost += r.CostBits * bsz;
            trainErrors += r.BitErrors * bsz;
            trainSeqs += bsz;

            if (Trainer.SequencesSeen / s.ReportEvery > before / s.ReportEvery || Trainer.SequencesSeen >= s.MaxSequences)
            {
                EvaluationResult eval = Evaluation.Run(Model, Task.Sample, s.EvalBatches * s.EvalBatchSize, s.EvalBatchSize,
                    EvaluationRng(s.Trainer.Seed, Trainer.SequencesSeen), Task as IOptimalCostTask);
                var line = new MetricsLine(Trainer.SequencesSeen, Math.Round(Seconds(), 3), trainCost / trainSeqs, trainErrors / trainSeqs,
                    eval.CostBits, eval.BitErrors, eval.OptimalCostBits);
                trainCost = trainErrors = 0;
                trainSeqs = 0;
                _metrics.Add(line);
                File.AppendAllText(metricsPath, JsonSerializer.Serialize(line, Json.Compact) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                onReport?.Invoke(line);
                if (line.SelectionCostBits < _bestSelectionCost)
                {
                    _bestSelectionCost = line.SelectionCostBits;
                    WriteModel(BestModelFileName);
                }
                if (line.EvalBitErrors < s.ConvergedBitErrors) _converged = true;
                if (_converged && s.StopWhenConverged) { reason = "converged"; break; }
                if (s.CheckpointEvery > 0 && Trainer.SequencesSeen - lastCheckpoint >= s.CheckpointEvery)
                {
                    WriteCheckpoint(Seconds());
                    lastCheckpoint = Trainer.SequencesSeen;
                }
            }
        }
        return Finish(reason);

        RunSummary Finish(string why)
        {
            // A checkpoint always sits on a report boundary, so a resumed run repeats the steps after
            // the last report identically; if steps ran since then, the previous checkpoint stays.
            if (trainSeqs == 0) WriteCheckpoint(Seconds());
            WriteModel();
            return new RunSummary(_converged, Trainer.SequencesSeen, Seconds(), _metrics.LastOrDefault(), why);
        }
    }
}
