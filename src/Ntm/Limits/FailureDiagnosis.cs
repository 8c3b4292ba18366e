using Ntm.Model;
using Ntm.Tasks;

namespace Ntm.Limits;

/// <summary>What went wrong first in the sequences at one axis value, in words and as a kind.</summary>
public enum FailureKind
{
    /// <summary>Every sequence was right: nothing to diagnose.</summary>
    None,
    /// <summary>The write head came back to a row it had written after using every row of the memory.</summary>
    MemoryWrap,
    /// <summary>The write head came back to a row it had written before the memory was full.</summary>
    WriteCollision,
    /// <summary>A read head's largest weight fell under one half before the first wrong bit.</summary>
    ReadBlur,
    /// <summary>Heads stayed sharp and no row was revisited: the controller emitted a wrong bit on its own.</summary>
    Controller,
}

/// <summary>Each head's focus along one sequence, and what went wrong first.</summary>
/// <param name="FirstWrongOutput">The scored step (0 for the first answer step) of the first wrong bit; null if none.</param>
/// <param name="WriteRevisitStep">The step at which a write head first came back to a row it had written before (not the row of the step just before); null if none before the first wrong bit.</param>
/// <param name="DistinctRowsBeforeRevisit">The distinct rows the write heads had focused on before that revisit.</param>
/// <param name="ReadBlurOutput">The scored step at which a read head's largest weight first fell under one half, up to the first wrong bit; null if none.</param>
/// <param name="ReadBlurWeight">That largest weight.</param>
/// <param name="Kind">The first of wrap, collision or blur to happen before the first wrong bit, else Controller (None for a right sequence).</param>
/// <param name="ReadRowAtError">The row the first read head focused on at the first wrong bit.</param>
/// <param name="ReadRowWrittenAt">The last step before it at which a write head focused on that row; null if none did.</param>
public sealed record SequenceDiagnosis(int? FirstWrongOutput, int? WriteRevisitStep, int DistinctRowsBeforeRevisit,
    int? ReadBlurOutput, double? ReadBlurWeight, FailureKind Kind, int? ReadRowAtError = null, int? ReadRowWrittenAt = null);

/// <summary>One head's focus along a sequence, averaged over the diagnosed sequences that failed (or over all when none did).</summary>
/// <param name="Head">The head's index (write heads first).</param>
/// <param name="IsWrite">Whether it is a write head.</param>
/// <param name="MaxWeight">Per step, the mean of the largest weight.</param>
/// <param name="Entropy">Per step, the mean entropy of the weighting in nats (0 one-hot, ln N uniform).</param>
public sealed record HeadSharpness(int Head, bool IsWrite, IReadOnlyList<double> MaxWeight, IReadOnlyList<double> Entropy);

/// <summary>Why a machine fails at one axis value: a verdict line, each sequence's diagnosis and the heads' sharpness.</summary>
/// <param name="Value">The axis value diagnosed (the first failing one).</param>
/// <param name="Verdict">One line, e.g. "memory wrap at 128: ...".</param>
/// <param name="Kind">The most common kind among the failing sequences.</param>
/// <param name="Sequences">Each traced sequence's diagnosis.</param>
/// <param name="Sharpness">Each head's focus along the sequence, averaged over the failing sequences (over every sequence when none failed).</param>
/// <param name="FirstScoredStep">The step at which the answer (the first scored output) starts.</param>
public sealed record FailureReport(int Value, string Verdict, FailureKind Kind, IReadOnlyList<SequenceDiagnosis> Sequences,
    IReadOnlyList<HeadSharpness> Sharpness, int FirstScoredStep)
{
    // The per-step focus sums behind Sharpness, so reports of several batches combine.
    internal FocusSums? Sums { get; init; }
}

/// <summary>Each head's focus per step summed over the failing sequences (and their count) and over every sequence.</summary>
internal sealed record FocusSums(int FailingCount, double[][] FailingMax, double[][] FailingEntropy, int AllCount, double[][] AllMax, double[][] AllEntropy)
{
    public FocusSums Add(FocusSums o) => new(FailingCount + o.FailingCount, Sum(FailingMax, o.FailingMax), Sum(FailingEntropy, o.FailingEntropy),
        AllCount + o.AllCount, Sum(AllMax, o.AllMax), Sum(AllEntropy, o.AllEntropy));

    private static double[][] Sum(double[][] a, double[][] b) => a.Select((row, i) => row.Zip(b[i], (x, y) => x + y).ToArray()).ToArray();
}

/// <summary>
/// Diagnoses why a trained machine fails (docs/limits.md, "Why it breaks"): it runs sequences with
/// each head's focus recorded per step (the row of its largest weight, that weight, the entropy) and
/// for each finds the first wrong bit, the first time a write head came back to a row it had written
/// (a wrap when every row had been used, a collision otherwise) and the first answer step at which a
/// read head's largest weight fell under one half. The verdict is the first of those that happened
/// before the first wrong bit.
/// </summary>
public static class FailureDiagnosis
{
    /// <summary>A head is focused while its largest weight is at least this.</summary>
    public const double FocusedWeight = 0.5;

    /// <summary>Traces <paramref name="batch"/> and diagnoses every sequence.</summary>
    public static FailureReport Diagnose(NeuralTuringMachine machine, SequenceBatch batch, int value)
    {
        ArgumentNullException.ThrowIfNull(machine);
        machine.CheckBatch(batch);
        NtmConfig c = machine.Config;
        if (c.Heads == 0)
            throw new InvalidConfigurationException("This model has no memory heads (a plain LSTM): there is no focus to diagnose.");
        var ws = machine.StreamingWorkspace;
        ws.RecordFocus = true;
        ws.Attention = machine.Attention;
        try
        {
            NeuralTuringMachine.Load(batch, ws, 0, batch.BatchSize);
            machine.Engine.Forward(machine.Parameters, ws, batch.Steps, batch.BatchSize);
        }
        finally { ws.RecordFocus = false; }

        int steps = batch.Steps, bs = batch.BatchSize, heads = c.Heads, o = c.OutputSize;
        var scored = Enumerable.Range(0, steps).Where(t => Enumerable.Range(0, bs).Any(b => batch.Mask[t * bs + b] != 0)).ToArray();
        int firstScored = scored.Length > 0 ? scored[0] : steps;
        var diagnoses = new List<SequenceDiagnosis>();
        for (int b = 0; b < bs; b++)
        {
            int Row(int t, int hd) => ws.FocusRow[(t * bs + b) * heads + hd];
            float Weight(int t, int hd) => ws.FocusWeight[(t * bs + b) * heads + hd];

            int? wrongStep = null;
            for (int t = 0; t < steps && wrongStep is null; t++)
            {
                if (batch.Mask[t * bs + b] == 0) continue;
                for (int j = 0; j < o; j++)
                    if ((ws.Logits[(t * bs + b) * o + j] > 0) != (batch.Targets[(t * bs + b) * o + j] > 0.5f)) { wrongStep = t; break; }
            }
            int horizon = wrongStep ?? steps - 1;

            int? revisit = null, distinctBefore = 0;
            var seen = new Dictionary<int, int>();   // row -> last step it was the focus of a write head
            for (int t = 0; t <= horizon && revisit is null; t++)
                for (int hd = 0; hd < c.WriteHeads; hd++)
                {
                    if (Weight(t, hd) < FocusedWeight) continue;
                    int row = Row(t, hd);
                    if (seen.TryGetValue(row, out int last) && last < t - 1) { revisit = t; distinctBefore = seen.Count; break; }
                    seen[row] = t;
                }
            if (revisit is null) distinctBefore = seen.Count;

            int? blurStep = null;
            double? blurWeight = null;
            foreach (int t in scored)
            {
                if (t > horizon) break;
                for (int r = 0; r < c.ReadHeads; r++)
                    if (Weight(t, c.WriteHeads + r) < FocusedWeight) { blurStep = t; blurWeight = Weight(t, c.WriteHeads + r); break; }
                if (blurStep is not null) break;
            }

            FailureKind kind = FailureKind.None;
            if (wrongStep is not null)
            {
                int wrapAt = revisit ?? int.MaxValue, blurAt = blurStep ?? int.MaxValue;
                kind = wrapAt == int.MaxValue && blurAt == int.MaxValue ? FailureKind.Controller
                    : wrapAt <= blurAt ? (distinctBefore >= c.MemoryRows ? FailureKind.MemoryWrap : FailureKind.WriteCollision)
                    : FailureKind.ReadBlur;
            }
            int? readRow = null, writtenAt = null;
            if (wrongStep is { } we && c.ReadHeads > 0)
            {
                readRow = Row(we, c.WriteHeads);
                for (int t = we; t >= 0 && writtenAt is null; t--)
                    for (int hd = 0; hd < c.WriteHeads; hd++)
                        if (Weight(t, hd) >= FocusedWeight && Row(t, hd) == readRow) { writtenAt = t; break; }
            }
            diagnoses.Add(new SequenceDiagnosis(wrongStep is { } ws0 ? Array.IndexOf(scored, ws0) : null, revisit, distinctBefore ?? 0,
                blurStep is { } bl ? Array.IndexOf(scored, bl) : null, blurWeight, kind, readRow, writtenAt));
        }

        // Each head's focus per step, summed over the failing sequences and over all of them.
        var failingMax = new double[heads][];
        var failingEntropy = new double[heads][];
        var allMax = new double[heads][];
        var allEntropy = new double[heads][];
        int failingCount = diagnoses.Count(d => d.Kind != FailureKind.None);
        for (int hd = 0; hd < heads; hd++)
        {
            (failingMax[hd], failingEntropy[hd], allMax[hd], allEntropy[hd]) = (new double[steps], new double[steps], new double[steps], new double[steps]);
            for (int t = 0; t < steps; t++)
                for (int b = 0; b < bs; b++)
                {
                    double w = ws.FocusWeight[(t * bs + b) * heads + hd], h = ws.FocusEntropy[(t * bs + b) * heads + hd];
                    allMax[hd][t] += w;
                    allEntropy[hd][t] += h;
                    if (diagnoses[b].Kind == FailureKind.None) continue;
                    failingMax[hd][t] += w;
                    failingEntropy[hd][t] += h;
                }
        }
        var sums = new FocusSums(failingCount, failingMax, failingEntropy, bs, allMax, allEntropy);
        return Summarize(value, c.MemoryRows, diagnoses, sums, c.WriteHeads, firstScored);
    }

    /// <summary>
    /// Traces batches of <paramref name="batchSize"/> sequences at <paramref name="value"/> until
    /// <paramref name="failing"/> of them have a wrong bit or <paramref name="maxSequences"/> were traced,
    /// and diagnoses them together; the sharpness curves are averaged over the failing sequences (over
    /// every sequence traced when none failed).
    /// </summary>
    public static FailureReport DiagnoseFailing(NeuralTuringMachine machine, Func<Numerics.Rng, int, SequenceBatch> make, Numerics.Rng rng,
        int value, int failing, int batchSize, int maxSequences)
    {
        ArgumentNullException.ThrowIfNull(make);
        FailureReport? first = null;
        FocusSums? sums = null;
        var all = new List<SequenceDiagnosis>();
        for (int traced = 0; traced < maxSequences && all.Count(d => d.Kind != FailureKind.None) < failing; traced += batchSize)
        {
            FailureReport r = Diagnose(machine, make(rng, Math.Min(batchSize, maxSequences - traced)), value);
            first ??= r;
            sums = sums is null ? r.Sums : sums.Add(r.Sums!);
            all.AddRange(r.Sequences);
        }
        return Summarize(value, machine.Config.MemoryRows, all, sums!, machine.Config.WriteHeads, first!.FirstScoredStep);
    }

    private static FailureReport Summarize(int value, int rows, IReadOnlyList<SequenceDiagnosis> all, FocusSums sums, int writeHeads, int firstScored)
    {
        (FailureKind kind, string verdict) = Verdict(all, value, rows);
        bool failing = sums.FailingCount > 0;
        var sharpness = Enumerable.Range(0, sums.AllMax.Length).Select(hd => new HeadSharpness(hd, hd < writeHeads,
            (failing ? sums.FailingMax[hd] : sums.AllMax[hd]).Select(x => x / (failing ? sums.FailingCount : sums.AllCount)).ToArray(),
            (failing ? sums.FailingEntropy[hd] : sums.AllEntropy[hd]).Select(x => x / (failing ? sums.FailingCount : sums.AllCount)).ToArray())).ToList();
        return new FailureReport(value, verdict, kind, all, sharpness, firstScored) { Sums = sums };
    }

    private static (FailureKind, string) Verdict(IReadOnlyList<SequenceDiagnosis> all, int value, int rows)
    {
        var failing = all.Where(d => d.Kind != FailureKind.None).ToList();
        if (failing.Count == 0) return (FailureKind.None, $"no wrong bit at {value} in {all.Count} sequences");
        var group = failing.GroupBy(d => d.Kind).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
        string share = $"{group.Count()} of {failing.Count} failing sequences, {failing.Count} of {all.Count} traced";
        static int Median(IEnumerable<int> xs) { var a = xs.Order().ToArray(); return a[(a.Length - 1) / 2]; }
        int firstWrong = Median(group.Select(d => d.FirstWrongOutput!.Value));
        return group.Key switch
        {
            FailureKind.MemoryWrap => (group.Key,
                $"memory wrap at {rows}: the write head returns to a written row after all {rows} rows at step {Median(group.Select(d => d.WriteRevisitStep!.Value))}; first wrong bit at output {firstWrong} ({share})"),
            FailureKind.WriteCollision => (group.Key,
                $"write collision: the write head returns to a written row after {Median(group.Select(d => d.DistinctRowsBeforeRevisit))} of {rows} rows at step {Median(group.Select(d => d.WriteRevisitStep!.Value))}; first wrong bit at output {firstWrong} ({share})"),
            FailureKind.ReadBlur => (group.Key,
                $"read focus blurs after output {Median(group.Select(d => d.ReadBlurOutput!.Value))} (largest weight {group.Average(d => d.ReadBlurWeight!.Value):F2}); first wrong bit at output {firstWrong} ({share})"),
            _ => (group.Key, group.Count(d => d.ReadRowAtError is not null && d.ReadRowWrittenAt is null) * 2 > group.Count()
                ? $"read jumps to an unwritten row: heads sharp and no row revisited, first wrong bit at output {firstWrong} ({share})"
                : $"heads sharp and no row revisited: the first wrong bit at output {firstWrong} reads the row written at step {Median(group.Where(d => d.ReadRowWrittenAt is not null).Select(d => d.ReadRowWrittenAt!.Value).DefaultIfEmpty(-1))} ({share})"),
        };
    }
}
