using System.Text.Json;
using Ntm.Io;
using Ntm.Training;

namespace Ntm.Cli.Sweeps;

/// <summary>How far a trial has got, read from its folder.</summary>
internal enum TrialState
{
    /// <summary>No folder, or nothing in it yet.</summary>
    NotStarted,
    /// <summary>Started but not finished: training or a post-training step is missing (killed, failed, or running now).</summary>
    Interrupted,
    /// <summary>Trained (<c>train.json</c> and <c>run/model.safetensors</c>) and every post-training output written with the sweep's options.</summary>
    Finished,
    /// <summary>The folder was made by different <c>ntm train</c> arguments: the sweep file changed under it.</summary>
    Changed,
}

/// <summary>
/// A trial's folder, <c>OUT/&lt;trial id&gt;/</c>: <c>trial.json</c> (what the trial is: its training arguments and
/// the options of the post-training steps done so far), <c>run/</c> (the run folder), <c>train.json</c> (how training
/// ended, written once it has), and the post-training outputs <c>eval.json</c>, <c>generalize.json</c>, <c>limits.json</c>.
/// </summary>
internal sealed class TrialFolder(string directory, SweepTrial trial)
{
    /// <summary>What the trial is, written when it starts.</summary>
    public const string TrialFileName = "trial.json";
    /// <summary>How training ended (solved, sequences, seconds, why it stopped), written when it has.</summary>
    public const string TrainFileName = "train.json";
    /// <summary>The run folder inside the trial's folder.</summary>
    public const string RunFolderName = "run";
    private const string LockFileName = ".lock";

    /// <summary>The trial's folder.</summary>
    public string Directory { get; } = directory;
    /// <summary>The trial.</summary>
    public SweepTrial Trial { get; } = trial;
    /// <summary>The run folder, <c>OUT/&lt;trial id&gt;/run</c>.</summary>
    public string RunDirectory => Path.Combine(Directory, RunFolderName);
    /// <summary>The path of <c>trial.json</c>.</summary>
    public string TrialPath => Path.Combine(Directory, TrialFileName);
    /// <summary>The path of <c>train.json</c>.</summary>
    public string TrainPath => Path.Combine(Directory, TrainFileName);
    /// <summary>The path of a post-training step's output.</summary>
    public string StepPath(SweepStep step) => Path.Combine(Directory, step.FileName);

    /// <summary>Training has ended and its weights are there.</summary>
    public bool Trained => File.Exists(TrainPath) && File.Exists(Path.Combine(RunDirectory, RunFolder.ModelFileName));

    /// <summary>The step's output is there and was made with the sweep's options for it.</summary>
    public bool Done(SweepStep step, TrialRecord? record)
        => File.Exists(StepPath(step)) && record?.After is { } after && after.TryGetValue(step.Command, out var args) && args.SequenceEqual(step.Arguments);

    /// <summary>How far the trial has got.</summary>
    public TrialState State
    {
        get
        {
            TrialRecord? record = ReadRecord();
            if (record is null)
                return System.IO.Directory.Exists(RunDirectory) ? TrialState.Interrupted : TrialState.NotStarted;
            if (!record.TrainArguments.SequenceEqual(Trial.TrainArguments)) return TrialState.Changed;
            return Trained && Trial.After.All(s => Done(s, record)) ? TrialState.Finished : TrialState.Interrupted;
        }
    }

    /// <summary><c>trial.json</c>, or null if it is not there.</summary>
    /// <exception cref="InvalidFileException">It is there but malformed.</exception>
    public TrialRecord? ReadRecord()
    {
        if (!File.Exists(TrialPath)) return null;
        string text;
        try { text = File.ReadAllText(TrialPath); }
        catch (IOException e) { throw new InvalidFileException(TrialPath, $"cannot be read: {e.Message}", e); }
        return Json.Parse<TrialRecord>(text, TrialPath, "trial record");
    }

    /// <summary>Reads <c>train.json</c>.</summary>
    /// <exception cref="InvalidFileException">It is missing or malformed.</exception>
    public TrainSummary ReadTrainSummary()
    {
        string text;
        try { text = File.ReadAllText(TrainPath); }
        catch (IOException e) { throw new InvalidFileException(TrainPath, $"cannot be read: {e.Message}", e); }
        return Json.Parse<TrainSummary>(text, TrainPath, "training summary");
    }

    /// <summary>Writes <c>train.json</c> (atomically).</summary>
    public void WriteTrainSummary(TrainSummary summary)
        => AtomicFile.WriteAllText(TrainPath, JsonSerializer.Serialize(summary, Json.Indented) + "\n");

    /// <summary>Writes <c>trial.json</c> (atomically), with the post-training steps in <paramref name="done"/> recorded as done.</summary>
    public void WriteRecord(IReadOnlyDictionary<string, IReadOnlyList<string>> done)
    {
        var record = new TrialRecord
        {
            Index = Trial.Index, Id = Trial.Id, Task = Trial.Task, Model = Trial.Model, Seed = Trial.Seed, MemoryRows = Trial.MemoryRows,
            Options = Trial.Options.ToDictionary(), Set = Trial.Settings.ToDictionary(),
            TrainArguments = [.. Trial.TrainArguments],
            After = done.ToDictionary(d => d.Key, d => d.Value.ToArray()),
        };
        AtomicFile.WriteAllText(TrialPath, JsonSerializer.Serialize(record, Json.Indented) + "\n");
    }

    /// <summary>
    /// Takes the trial's lock (an exclusive lock on <c>.lock</c> in its folder, released when the process ends however
    /// it ends), so two processes never run one trial at once.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">Another process holds it.</exception>
    public IDisposable Lock()
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            return new FileStream(Path.Combine(Directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidConfigurationException($"Trial {Trial.Index} ({Trial.Id}) is being run by another process ({Path.Combine(Directory, LockFileName)} is locked).");
        }
    }
}

/// <summary>The content of a trial's <c>trial.json</c>.</summary>
internal sealed record TrialRecord
{
    /// <summary>The trial's number when it was last run.</summary>
    public int Index { get; init; }
    /// <summary>The trial id (its folder's name).</summary>
    public string Id { get; init; } = "";
    /// <summary>The task.</summary>
    public string Task { get; init; } = "";
    /// <summary>The model.</summary>
    public string Model { get; init; } = "";
    /// <summary>The seed.</summary>
    public ulong Seed { get; init; }
    /// <summary>The memory rows the sweep sets, or null for the model's default.</summary>
    public int? MemoryRows { get; init; }
    /// <summary>The other <c>ntm train</c> options.</summary>
    public Dictionary<string, string> Options { get; init; } = [];
    /// <summary>The task settings.</summary>
    public Dictionary<string, string> Set { get; init; } = [];
    /// <summary>The <c>ntm train</c> arguments of the run.</summary>
    public string[] TrainArguments { get; init; } = [];
    /// <summary>The post-training steps done, each with the options it ran with.</summary>
    public Dictionary<string, string[]> After { get; init; } = [];
}

/// <summary>The content of a trial's <c>train.json</c>: how its training ended.</summary>
internal sealed record TrainSummary
{
    /// <summary>Whether the trained weights are solved (<see cref="RunSummary.Solved"/>).</summary>
    public bool Solved { get; init; }
    /// <summary>Training sequences consumed.</summary>
    public long Sequences { get; init; }
    /// <summary>Wall-clock seconds of training, across resumes.</summary>
    public double Seconds { get; init; }
    /// <summary>Why training stopped, in words.</summary>
    public string StopReason { get; init; } = "";
    /// <summary>When the run was first solved, in sequences, or null.</summary>
    public long? FirstSolvedSequences { get; init; }
    /// <summary>When the run was first solved, in seconds, or null.</summary>
    public double? FirstSolvedSeconds { get; init; }
    /// <summary>The verdict <c>ntm train</c> prints.</summary>
    public string Summary { get; init; } = "";
}
