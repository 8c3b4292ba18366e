using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Limits;

/// <summary>One scored axis value of a limit search, with its intervals.</summary>
/// <param name="Value">The axis value.</param>
/// <param name="Sequences">Sequences scored there.</param>
/// <param name="ExactFraction">The fraction exactly right, with its Wilson 95% interval.</param>
/// <param name="ExactLow">Low end of the Wilson interval.</param>
/// <param name="ExactHigh">High end of the Wilson interval.</param>
/// <param name="BitErrorRate">Wrong bits per scored bit, with its bootstrap 95% interval over sequences.</param>
/// <param name="BitErrorRateLow">Low end of the bootstrap interval.</param>
/// <param name="BitErrorRateHigh">High end of the bootstrap interval.</param>
public sealed record LimitPoint(int Value, int Sequences, double ExactFraction, double ExactLow, double ExactHigh,
    double BitErrorRate, double BitErrorRateLow, double BitErrorRateHigh);

/// <summary>Where one trained machine stops working along its task's axis at one memory size.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="MemoryRows">The memory size it ran with.</param>
/// <param name="TrainedMemoryRows">The memory size it was trained with.</param>
/// <param name="Axis">The axis searched (e.g. <c>length</c>).</param>
/// <param name="TrainingMax">The largest axis value seen in training, where the search starts.</param>
/// <param name="Cap">The largest axis value searched.</param>
/// <param name="Exact">The largest value with at least 99% of sequences exactly right.</param>
/// <param name="Bits">The largest value with under 1% of output bits wrong.</param>
/// <param name="Points">Every value scored, in increasing order.</param>
/// <param name="Diagnosis">Why it fails at the first value past the exact limit (or at the training maximum when it already fails there); null when nothing failed up to the cap or the model has no memory heads.</param>
public sealed record LimitsResult(string Task, int MemoryRows, int TrainedMemoryRows, string Axis, int TrainingMax, int Cap,
    BreakdownLimit Exact, BreakdownLimit Bits, IReadOnlyList<LimitPoint> Points, FailureReport? Diagnosis)
{
    /// <summary>How the machine used its weightings: <c>soft</c>, or hard attention (<see cref="HardAttention"/>).</summary>
    public string Attention { get; init; } = HardAttention.Soft.ToString();

    /// <summary>Why it breaks in one line: the diagnosis's verdict, or why there is none.</summary>
    public string Verdict => Diagnosis?.Verdict
        ?? (Exact.Censored ? $"nothing failed up to {Axis} {Cap}" : "no memory heads: nothing to diagnose");
}

/// <summary>
/// <c>ntm limits</c> for one machine and one memory size: the breakdown search along the task's own
/// axis under both definitions, the intervals, and the diagnosis of the first failure
/// (docs/limits.md).
/// </summary>
public static class LimitSearch
{
    /// <summary>Failing sequences the diagnosis looks for, tracing at most <see cref="MaxDiagnosedSequences"/>.</summary>
    public const int DiagnosedSequences = 10;

    /// <summary>The most sequences traced for a diagnosis.</summary>
    public const int MaxDiagnosedSequences = 400;

    /// <summary>Sequence-steps run at once at most (bounds the memory a long sequence needs).</summary>
    public const int StepsPerChunk = 100_000;

    /// <summary>
    /// The default largest value searched: twice the memory rows or twice the training maximum, whichever
    /// is larger (a copy-like program that stores one vector per row cannot pass beyond the memory size).
    /// </summary>
    public static int DefaultCap(int memoryRows, int trainingMax) => Math.Max(2 * memoryRows, 2 * trainingMax);

    /// <summary>
    /// Runs the search along <paramref name="axisName"/> (default: the task's primary axis) on
    /// <paramref name="count"/> fresh sequences per value, drawn from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The task has no such axis, or the count is below 1.</exception>
    public static LimitsResult Run(NeuralTuringMachine machine, ISequenceTask task, int trainedMemoryRows, int count, ulong seed, int? cap = null,
        Action<string>? progress = null, string? axisName = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        if (count < 1) throw new InvalidConfigurationException($"Score at least 1 sequence per value, got {count}.");
        IReadOnlyList<TaskAxis> axes = (task as SequenceTask)?.Axes ?? [];
        if (axes.Count == 0) throw new InvalidConfigurationException($"Task '{task.Name}' has no axis to search along.");
        TaskAxis axis = axisName is null ? axes[0] : axes.FirstOrDefault(a => a.Name == axisName)
            ?? throw new InvalidConfigurationException($"Task '{task.Name}' has no axis '{axisName}'; its axes are {string.Join(", ", axes.Select(a => a.Name))}.");
        int start = Math.Max(axis.TrainingMax, axis.Minimum);
        int top = Math.Max(cap ?? DefaultCap(machine.Config.MemoryRows, axis.TrainingMax), start);

        // Sequences run at once at axis value v: at most StepsPerChunk sequence-steps (one sequence is drawn to learn its length).
        int ChunkAt(int v) => Math.Clamp(StepsPerChunk / Math.Max(axis.Make(new Rng(seed), 1, v).Steps, 1), 1, Generalization.ChunkSize);

        AxisScore Score(int v)
        {
            var rng = new Rng(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(v + 1)));
            EvaluationResult r = Evaluation.Run(machine, (g, n) => axis.Make(g, n, v), count, ChunkAt(v), rng);
            progress?.Invoke($"{task.Name} at {axis.Name} {v} with {machine.Config.MemoryRows} rows: {r.ExactFraction:P1} exact, bit error rate {r.BitErrorRate:G3}");
            return new AxisScore(v, r.SequenceBitErrors, (double)r.ScoredBits / r.Sequences);
        }

        var search = new BreakdownSearch(Score, axis.Minimum, start, top);
        int? exactValue = search.Find(BreakdownCriterion.Exact);
        search.Find(BreakdownCriterion.Bits);
        var bootstrap = new Rng(seed ^ 0xB0075742A9UL);
        BreakdownLimit exact = search.Limit(BreakdownCriterion.Exact, bootstrap), bits = search.Limit(BreakdownCriterion.Bits, bootstrap);

        var points = search.Scores.Select(s =>
        {
            (double lo, double hi) = Intervals.Wilson(s.ExactSequences, s.Sequences);
            (double blo, double bhi) = s.BitsPerSequence > 0
                ? Intervals.Bootstrap(s.SequenceWrongBits, e => e.Average() / s.BitsPerSequence, new Rng(seed ^ (ulong)s.Value))
                : (0, 0);
            return new LimitPoint(s.Value, s.Sequences, s.ExactFraction, lo, hi, s.BitErrorRate, blo, bhi);
        }).ToList();

        FailureReport? diagnosis = null;
        if (machine.Config.Heads > 0 && !exact.Censored)
        {
            int at = exactValue is { } e ? e + 1 : start;
            diagnosis = FailureDiagnosis.DiagnoseFailing(machine, (g, n) => axis.Make(g, n, at), new Rng(seed ^ 0xD1A6UL), at,
                DiagnosedSequences, ChunkAt(at), MaxDiagnosedSequences);
        }
        return new LimitsResult(task.Name, machine.Config.MemoryRows, trainedMemoryRows, axis.Name, axis.TrainingMax, top, exact, bits, points, diagnosis)
            { Attention = machine.Attention.ToString() };
    }
}
