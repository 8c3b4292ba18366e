using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>One point of a generalisation table.</summary>
/// <param name="Axis">The setting(s) varied, e.g. {"length": 50}.</param>
/// <param name="Sequences">Sequences evaluated.</param>
/// <param name="CostBits">Mean cost per sequence in bits.</param>
/// <param name="BitErrors">Mean bit errors per sequence.</param>
/// <param name="OptimalCostBits">For a task with a known floor (<see cref="Ntm.Tasks.IOptimalCostTask"/>, e.g. dynamic n-grams): the optimal predictor's mean cost on the same sequences.</param>
/// <param name="GapStandardErrorBits">
/// With <paramref name="OptimalCostBits"/>: the standard error of the mean gap (cost minus optimal cost, per sequence), so a
/// gap can be read as "2.0 ± 0.1 bits".
/// </param>
public sealed record GeneralizationRow(IReadOnlyDictionary<string, int> Axis, int Sequences, double CostBits, double BitErrors,
    double? OptimalCostBits = null, double? GapStandardErrorBits = null)
{
    /// <summary>The mean cost above the optimal predictor's on the same sequences, where the task has one.</summary>
    public double? GapBits => OptimalCostBits is { } floor ? CostBits - floor : null;
}

/// <summary>
/// Evaluates a trained machine along its task's own axis, beyond the training range (paper section 4):
/// copy at lengths 10, 20, 30, 50, 120; repeat copy with length or repeat count doubled;
/// associative recall with 6 to 20 items; priority sort with more inputs; dynamic n-grams against
/// the Bayes-optimal estimator.
/// </summary>
public static class Generalization
{
    /// <summary>Largest number of sequences run at once (bounds the memory a long sequence needs).</summary>
    public const int ChunkSize = 25;

    /// <summary>
    /// The axis points evaluated for a task, each with a function that makes a batch there: the task's own
    /// <see cref="SequenceTask.GeneralizationPoints"/>, or for any other <see cref="ISequenceTask"/> its training distribution.
    /// </summary>
    public static IReadOnlyList<(IReadOnlyDictionary<string, int> Axis, Func<Rng, int, SequenceBatch> Make)> Points(ISequenceTask task)
        => task is SequenceTask t
            ? t.GeneralizationPoints.Select(p => (p.Axis, p.Make)).ToList()
            : [(new Dictionary<string, int>(), task.Sample)];

    /// <summary>
    /// Mean cost (bits) and bit errors per sequence over <paramref name="count"/> sequences from
    /// <paramref name="make"/>, run <see cref="ChunkSize"/> at a time; with <paramref name="floor"/>, also the
    /// optimal predictor's mean cost on the same sequences and the standard error of the mean gap.
    /// The row's <see cref="GeneralizationRow.Axis"/> is empty: the caller says where it was measured.
    /// </summary>
    public static GeneralizationRow Score(NeuralTuringMachine model, Func<Rng, int, SequenceBatch> make, int count, Rng rng,
        IOptimalCostTask? floor = null)
    {
        if (count < 1) throw new InvalidConfigurationException($"Evaluate at least 1 sequence, got {count}.");
        double cost = 0, errors = 0, optimal = 0, gapSum = 0, gapSquares = 0;
        for (int done = 0; done < count; done += ChunkSize)
        {
            SequenceBatch batch = make(rng, Math.Min(ChunkSize, count - done));
            BatchScores s = model.Evaluate(batch);
            cost += s.CostBits.Sum();
            errors += s.BitErrors.Sum();
            if (floor is null) continue;
            double[] best = floor.OptimalCost(batch);
            for (int i = 0; i < best.Length; i++)
            {
                double gap = s.CostBits[i] - best[i];
                optimal += best[i];
                gapSum += gap;
                gapSquares += gap * gap;
            }
        }
        var row = new GeneralizationRow(new Dictionary<string, int>(), count, cost / count, errors / count);
        if (floor is null) return row;
        double mean = gapSum / count;
        double variance = count > 1 ? Math.Max(0, (gapSquares - count * mean * mean) / (count - 1)) : double.NaN;
        return row with { OptimalCostBits = optimal / count, GapStandardErrorBits = Math.Sqrt(variance / count) };
    }

    /// <summary>Evaluates <paramref name="count"/> fresh sequences at every axis point.</summary>
    public static IReadOnlyList<GeneralizationRow> Run(NeuralTuringMachine model, ISequenceTask task, int count, ulong seed)
        => Points(task).Select(p => Score(model, p.Make, count, new Rng(seed), task as IOptimalCostTask) with { Axis = p.Axis }).ToList();
}
