using System.Text.Json.Serialization;
using Ntm.Model;

namespace Ntm.Training;

/// <summary>
/// Everything that defines a training run; saved as the run's <c>config.json</c>. The same settings
/// and seed give the same metrics (wall-clock seconds aside), whatever the thread count.
/// </summary>
public sealed record RunSettings
{
    /// <summary>Task name (see <see cref="Tasks.TaskCatalog.Names"/>).</summary>
    public string Task { get; init; } = "copy";
    /// <summary>Task settings as strings (see <see cref="Tasks.TaskCatalog.Describe"/>).</summary>
    public Dictionary<string, string> TaskSettings { get; init; } = new();
    /// <summary>The machine.</summary>
    public NtmConfig Model { get; init; } = new();
    /// <summary>The trainer.</summary>
    public TrainerOptions Trainer { get; init; } = new();
    /// <summary>Seed of the initial parameters.</summary>
    public ulong ModelSeed { get; init; } = 1;
    /// <summary>Stop after this many training sequences.</summary>
    public long MaxSequences { get; init; } = 1_000_000;
    /// <summary>Stop after this many seconds of training (0: no limit).</summary>
    public double MaxSeconds { get; init; }
    /// <summary>Evaluate and write a metrics line every this many training sequences.</summary>
    public int ReportEvery { get; init; } = 1000;
    /// <summary>Fresh minibatches per evaluation.</summary>
    public int EvalBatches { get; init; } = 10;
    /// <summary>Sequences per evaluation minibatch.</summary>
    public int EvalBatchSize { get; init; } = 10;
    /// <summary>
    /// Solved (<see cref="SolvedRule"/>) when the mean bit errors per sequence at the task's hardest training setting
    /// fall below this on two fresh sets; the strict check runs only at reports whose own evaluation is below it too.
    /// </summary>
    public double ConvergedBitErrors { get; init; } = 0.1;
    /// <summary>Sequences in each of the two fresh sets of the solved check (<see cref="SolvedRule"/>).</summary>
    public int SolvedSequences { get; init; } = SolvedRule.DefaultSequences;
    /// <summary>Stop as soon as the run is solved (<see cref="SolvedRule"/>).</summary>
    public bool StopWhenConverged { get; init; } = true;
    /// <summary>
    /// Once the run is first solved and goes on (<see cref="StopWhenConverged"/> false), the learning rate is multiplied
    /// by this from the next step on; 1 (the default) keeps the rate. A lower rate does not keep a solved run solved: it
    /// drifts off the hardest setting as the full rate does, only more slowly (docs/results.md, "Training on after solved").
    /// </summary>
    public float SolvedLearningRateFactor { get; init; } = DefaultSolvedLearningRateFactor;
    /// <summary>The default of <see cref="SolvedLearningRateFactor"/>.</summary>
    public const float DefaultSolvedLearningRateFactor = 1f;
    /// <summary>
    /// Once the run is first solved and goes on (<see cref="StopWhenConverged"/> false), each training minibatch is
    /// drawn from the task's hardest training setting (<see cref="SolvedRule.Point"/>) with this probability instead of
    /// from the training distribution, where the solved rule looks but the mix rarely goes (docs/results.md, "Training
    /// on after solved": at the default quarter, repeat copy stays near its solved state where the mix alone drifts off
    /// it); 0 keeps the training distribution.
    /// </summary>
    public double SolvedHardestFraction { get; init; } = DefaultSolvedHardestFraction;
    /// <summary>The default of <see cref="SolvedHardestFraction"/>.</summary>
    public const double DefaultSolvedHardestFraction = 0.25;
    /// <summary>Write a checkpoint every this many sequences (rounded up to a report); 0: only at the end.</summary>
    public long CheckpointEvery { get; init; } = 10_000;

    /// <summary>Checks every field.</summary>
    public RunSettings Validate()
    {
        Model.Validate();
        Trainer.Validate();
        if (MaxSequences < 1) throw new InvalidConfigurationException($"The sequence budget must be at least 1, got {MaxSequences}.");
        if (!(MaxSeconds >= 0) || double.IsInfinity(MaxSeconds)) throw new InvalidConfigurationException($"The time budget must be 0 (none) or a positive number of seconds, got {MaxSeconds}.");
        if (ReportEvery < 1) throw new InvalidConfigurationException($"The report interval must be at least 1 sequence, got {ReportEvery}.");
        if (EvalBatches < 1 || EvalBatchSize < 1) throw new InvalidConfigurationException("An evaluation needs at least one batch of at least one sequence.");
        if ((long)EvalBatches * EvalBatchSize > int.MaxValue) throw new InvalidConfigurationException($"An evaluation can score at most {int.MaxValue} sequences, got {EvalBatches} batches of {EvalBatchSize}.");
        if (!(ConvergedBitErrors >= 0)) throw new InvalidConfigurationException($"The solved threshold must be 0 or more, got {ConvergedBitErrors}.");
        if (SolvedSequences < 1) throw new InvalidConfigurationException($"The solved check needs at least 1 sequence per set, got {SolvedSequences}.");
        if (!(SolvedLearningRateFactor > 0 && SolvedLearningRateFactor <= 1)) throw new InvalidConfigurationException($"The learning-rate factor after solved must be in (0, 1], got {SolvedLearningRateFactor}.");
        if (!(SolvedHardestFraction >= 0 && SolvedHardestFraction <= 1)) throw new InvalidConfigurationException($"The share of hardest-setting minibatches after solved must be in [0, 1], got {SolvedHardestFraction}.");
        if (CheckpointEvery < 0) throw new InvalidConfigurationException($"The checkpoint interval cannot be negative, got {CheckpointEvery}.");
        return this;
    }
}

/// <summary>
/// One line of <c>metrics.jsonl</c>. Training writes every field but <see cref="EvalOptimalCostBits"/> (written
/// only for a task with a known floor) and the solved check's (written only at a report where the check ran); a metrics file from elsewhere may leave out <c>train_bit_errors</c> and
/// write <c>null</c> for the evaluation where none was run (<see cref="RunFolder.ReadMetricsFile"/>).
/// </summary>
/// <param name="Sequences">Training sequences consumed.</param>
/// <param name="Seconds">Wall-clock seconds of training so far (across resumes).</param>
/// <param name="TrainCostBits">Mean training cost per sequence since the previous line, in bits.</param>
/// <param name="TrainBitErrors">Mean training bit errors per sequence since the previous line.</param>
/// <param name="EvalCostBits">Mean cost per sequence on a fresh evaluation set, in bits.</param>
/// <param name="EvalBitErrors">Mean bit errors per sequence on that set.</param>
/// <param name="EvalOptimalCostBits">
/// For a task with a known floor (<see cref="Ntm.Tasks.IOptimalCostTask"/>, e.g. dynamic n-grams): the optimal
/// predictor's mean cost per sequence on the same evaluation set; absent (null) otherwise.
/// </param>
/// <param name="SolvedCheckBitErrors">
/// Where the solved check (<see cref="SolvedRule"/>) ran at this report: mean bit errors per sequence on its first
/// fresh set at the task's hardest training setting; absent (null) otherwise.
/// </param>
/// <param name="SolvedConfirmBitErrors">
/// Where the first set of the solved check passed: mean bit errors per sequence on the second fresh set; absent (null) otherwise.
/// </param>
public sealed record MetricsLine(long Sequences, double Seconds, double TrainCostBits, double? TrainBitErrors, double? EvalCostBits, double? EvalBitErrors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? EvalOptimalCostBits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SolvedCheckBitErrors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? SolvedConfirmBitErrors = null)
{
    /// <summary>
    /// What a run minimises when it keeps its best weights: the evaluation cost above the floor where the
    /// task has one (<see cref="EvalCostBits"/> - <see cref="EvalOptimalCostBits"/>), else the evaluation cost;
    /// infinite for a line without an evaluation.
    /// </summary>
    [JsonIgnore]
    public double SelectionCostBits => (EvalCostBits ?? double.PositiveInfinity) - (EvalOptimalCostBits ?? 0);
}

/// <summary>How a run ended.</summary>
/// <param name="Solved">
/// Whether the trained weights are solved under <paramref name="Rule"/>: for a run that stops when solved, whether it
/// was; for a run told to go on (<see cref="RunSettings.StopWhenConverged"/> false), whether the check at the end
/// (<paramref name="EndCheck"/>) passed.
/// </param>
/// <param name="Sequences">Training sequences consumed.</param>
/// <param name="Seconds">Wall-clock seconds of training (across resumes).</param>
/// <param name="Last">The last metrics line, if any was written.</param>
/// <param name="StopReason">Why it stopped, in words.</param>
/// <param name="Rule">What solved means for this run.</param>
/// <param name="FirstSolved">When the run was first solved, or null if it never was.</param>
/// <param name="EndCheck">
/// For a run told to go on that was solved at some point: the solved check on the weights at the end; null otherwise.
/// </param>
public sealed record RunSummary(bool Solved, long Sequences, double Seconds, MetricsLine? Last, string StopReason,
    SolvedRule Rule, SolvedAt? FirstSolved, SolvedCheck? EndCheck);
