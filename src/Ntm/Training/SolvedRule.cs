using System.Globalization;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// What "solved" means for a run: under <see cref="Threshold"/> bit errors per sequence at the task's hardest
/// training setting (<see cref="SequenceTask.HardestTrainingPoint"/>: copy at its maximum length, repeat copy at
/// its maximum length and repeat count, associative recall with the most items, priority sort on its full input;
/// the training distribution for a task without an axis) on a fresh set of <see cref="Sequences"/> sequences, and
/// again on a second fresh set of the same size. A report's cheap evaluation (a few mixed-length sequences of the
/// training distribution) can pass while the longest sequences are still wrong; this check cannot.
/// </summary>
public sealed class SolvedRule
{
    /// <summary>
    /// Sequences in each of the two sets: 100 mixed-length sequences let copy runs stop while they still made
    /// 0.28-0.72 bit errors per sequence on 500 fresh sequences of the longest length (held-out seeds 11-20).
    /// </summary>
    public const int DefaultSequences = 500;

    /// <summary>The rule's two sets: a first one, and a second that confirms it.</summary>
    public const int Sets = 2;

    /// <summary>Creates the rule for <paramref name="task"/>.</summary>
    /// <param name="task">The task; a <see cref="SequenceTask"/> is checked at its <see cref="SequenceTask.HardestTrainingPoint"/>, any other task on its training distribution.</param>
    /// <param name="threshold">Solved means under this many bit errors per sequence on each set.</param>
    /// <param name="sequences">Sequences per set, at least 1.</param>
    /// <param name="batchSize">Sequences run at once, at least 1.</param>
    /// <exception cref="InvalidConfigurationException">A count is below 1 or the threshold is negative or not a number.</exception>
    public SolvedRule(ISequenceTask task, double threshold, int sequences, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!(threshold >= 0)) throw new InvalidConfigurationException($"The solved threshold must be 0 or more, got {threshold}.");
        if (sequences < 1) throw new InvalidConfigurationException($"The solved check needs at least 1 sequence per set, got {sequences}.");
        if (batchSize < 1) throw new InvalidConfigurationException($"The solved check needs batches of at least 1 sequence, got {batchSize}.");
        Point = task is SequenceTask t ? t.HardestTrainingPoint : new AxisPoint(new Dictionary<string, int>(), task.Sample);
        IsPredictionTask = task is IOptimalCostTask;
        Threshold = threshold;
        Sequences = sequences;
        BatchSize = batchSize;
    }

    /// <summary>Creates the rule a run with <paramref name="settings"/> uses for <paramref name="task"/>.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is out of range.</exception>
    public static SolvedRule For(ISequenceTask task, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SolvedRule(task, settings.ConvergedBitErrors, settings.SolvedSequences, settings.EvalBatchSize);
    }

    /// <summary>
    /// Whether the task is a prediction task with a known floor (<see cref="IOptimalCostTask"/>, dynamic n-grams): its
    /// targets are random draws, so no machine gets every bit right and its measure is the gap to the optimal
    /// predictor, not this rule.
    /// </summary>
    public bool IsPredictionTask { get; }

    /// <summary>Where the sets are drawn: the task's hardest training setting (no axis values: its training distribution).</summary>
    public AxisPoint Point { get; }

    /// <summary>Solved means under this many bit errors per sequence on each set.</summary>
    public double Threshold { get; }

    /// <summary>Sequences per set.</summary>
    public int Sequences { get; }

    /// <summary>Sequences run at once.</summary>
    public int BatchSize { get; }

    /// <summary>Where the check runs, in words: <c>at length 20</c>, <c>at length 10, repeats 10</c>, or <c>of the training distribution</c>.</summary>
    public string Where => Point.Axis.Count == 0
        ? "of the training distribution"
        : "at " + string.Join(", ", Point.Axis.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The rule in words, e.g. <c>under 0.1 bit errors per sequence at length 20 on 2 x 500 fresh sequences</c>.</summary>
    public string Description
    {
        get
        {
            string threshold = Threshold.ToString(CultureInfo.InvariantCulture);
            string sets = $"{Sets} x {Sequences.ToString("N0", CultureInfo.InvariantCulture)} fresh sequences";
            return Point.Axis.Count == 0
                ? $"under {threshold} bit errors per sequence on {sets} {Where}"
                : $"under {threshold} bit errors per sequence {Where} on {sets}";
        }
    }

    /// <summary>
    /// The random stream of the check made after <paramref name="sequences"/> training sequences: fresh at every
    /// report, unlike the report's own evaluation set (<see cref="TrainingSession.EvaluationRng"/>), and the same in a
    /// resumed run. The second set is drawn from the same stream after the first.
    /// </summary>
    public static Rng CheckRng(ulong seed, long sequences)
        => new(seed * 0x9E3779B97F4A7C15UL ^ (ulong)sequences ^ 0x50_1FED_C4ECUL);

    /// <summary>
    /// Checks <paramref name="model"/>: scores the first set, and only if it is under the threshold the second set
    /// (the next <see cref="Sequences"/> sequences of the same stream).
    /// </summary>
    /// <param name="model">The machine.</param>
    /// <param name="rng">The stream the sets are drawn from, e.g. <see cref="CheckRng"/>.</param>
    public SolvedCheck Check(NeuralTuringMachine model, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rng);
        double first = Evaluation.Run(model, Point.Make, Sequences, BatchSize, rng).BitErrors;
        if (!(first < Threshold)) return new SolvedCheck(first, null, false);
        double second = Evaluation.Run(model, Point.Make, Sequences, BatchSize, rng).BitErrors;
        return new SolvedCheck(first, second, second < Threshold);
    }
}

/// <summary>The outcome of one <see cref="SolvedRule.Check"/>.</summary>
/// <param name="BitErrors">Mean bit errors per sequence on the first set.</param>
/// <param name="ConfirmBitErrors">Mean bit errors per sequence on the second set; null when the first set failed and the second was not drawn.</param>
/// <param name="Solved">Whether both sets were under the threshold.</param>
public sealed record SolvedCheck(double BitErrors, double? ConfirmBitErrors, bool Solved);

/// <summary>When a run was first solved.</summary>
/// <param name="Sequences">Training sequences consumed at that report.</param>
/// <param name="Seconds">Wall-clock seconds of training at that report (across resumes).</param>
public sealed record SolvedAt(long Sequences, double Seconds);
