using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>One point of a generalisation table.</summary>
/// <param name="Axis">The setting(s) varied, e.g. {"length": 50}.</param>
/// <param name="Score">
/// What the machine scored there: mean cost and bit errors per sequence, and for a task with a known floor
/// (<see cref="Ntm.Tasks.IOptimalCostTask"/>, e.g. dynamic n-grams) the optimal predictor's cost on the same
/// sequences and the gap's standard error.
/// </param>
public sealed record GeneralizationRow(IReadOnlyDictionary<string, int> Axis, EvaluationResult Score);

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
    /// Evaluates <paramref name="count"/> fresh sequences at every axis point (each point from a new stream of
    /// <paramref name="seed"/>), <see cref="ChunkSize"/> at a time; <paramref name="progress"/> hears a line per point.
    /// </summary>
    public static IReadOnlyList<GeneralizationRow> Run(NeuralTuringMachine model, ISequenceTask task, int count, ulong seed, Action<string>? progress = null)
        => Points(task).Select(p =>
        {
            var row = new GeneralizationRow(p.Axis, Evaluation.Run(model, p.Make, count, ChunkSize, new Rng(seed), task as IOptimalCostTask));
            string at = p.Axis.Count == 0 ? "on its training distribution" : "at " + string.Join(", ", p.Axis.Select(a => $"{a.Key} {a.Value}"));
            progress?.Invoke($"{task.Name} {at}: {row.Score.CostBits:F2} bits, {row.Score.BitErrors:F3} bit errors per sequence"
                + (row.Score.GapBits is { } gap ? $", {gap:F2} above the optimal predictor" : ""));
            return row;
        }).ToList();
}
