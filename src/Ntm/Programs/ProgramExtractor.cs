using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Programs;

/// <summary>One machine tried by <see cref="ProgramExtractor"/>: how its states were labelled, its size before and after merging, and how it scored.</summary>
/// <param name="Method">The state labelling: <c>actions</c>, <c>hidden k</c> or <c>hidden k x actions</c>, with <c>+ reads</c> when transitions look at what was read.</param>
/// <param name="Labels">Distinct state labels before merging.</param>
/// <param name="States">States after merging, the start state included.</param>
/// <param name="Agreement">Fraction of the held-out sequences on which the program's scored outputs equal the machine's thresholded ones.</param>
/// <param name="Consistency">Fraction of the traced steps whose observed instructions agree with their state's action.</param>
public sealed record ExtractionCandidate(string Method, int Labels, int States, double Agreement, double Consistency);

/// <summary>An extracted program and how it was chosen.</summary>
/// <param name="Program">The chosen program.</param>
/// <param name="Chosen">The candidate it came from.</param>
/// <param name="Candidates">Every candidate tried, in the order tried.</param>
/// <param name="TraceSequences">Sequences traced to build the candidates.</param>
/// <param name="HeldOutSequences">Sequences on which the candidates were scored.</param>
public sealed record ExtractionResult(TapeProgram Program, ExtractionCandidate Chosen, IReadOnlyList<ExtractionCandidate> Candidates, int TraceSequences, int HeldOutSequences);

/// <summary>
/// Extracts a <see cref="TapeProgram"/> from a trained machine (docs/programs.md): traces it on random
/// training sequences, discretises every step (<see cref="StepRecorder"/>), labels the steps' states in
/// several ways (the tuple of discrete actions; k-means of the controller output h_t for several k; both
/// together; each with and without what was read in the transitions, and with a counter register where an
/// input symbol carries a number), each on four readings of the steps (unfocused read heads at their
/// weight's peak or held in place; each move read as the simplest consistent one or as the one most steps
/// are consistent with, <see cref="StepRecorder.Common"/>), builds and merges a machine for each
/// (<see cref="MachineBuilder"/>), and keeps the one whose outputs agree with the machine on the most
/// held-out sequences; on a tie the one whose states' actions hold on more of the traced steps, then the smaller.
/// </summary>
public static class ProgramExtractor
{
    /// <summary>The values of k tried for k-means of the controller output alone.</summary>
    public static readonly IReadOnlyList<int> HiddenClusters = [4, 8, 12, 16, 24, 32];
    /// <summary>The values of k tried for k-means of the controller output combined with the actions.</summary>
    public static readonly IReadOnlyList<int> CombinedClusters = [2, 4, 8];

    /// <summary>Consistencies are compared in steps of this size, so that a tiny gain does not buy a larger machine.</summary>
    public const double ConsistencyStep = 0.005;

    // Higher held-out agreement; then higher consistency (in steps of ConsistencyStep); then fewer states.
    private static bool Better(ExtractionCandidate a, ExtractionCandidate b)
    {
        if (a.Agreement != b.Agreement) return a.Agreement > b.Agreement;
        double ca = Math.Floor(a.Consistency / ConsistencyStep), cb = Math.Floor(b.Consistency / ConsistencyStep);
        if (ca != cb) return ca > cb;
        return a.States < b.States;
    }

    /// <summary>Whether a task has an input abstraction, hence an extractor.</summary>
    public static bool Supports(ISequenceTask task) => TaskSymbols.For(task) is not null;

    /// <summary>Extracts the program of <paramref name="machine"/> on <paramref name="task"/>.</summary>
    /// <param name="machine">A trained machine (soft attention).</param>
    /// <param name="task">Its task; copy, repeat copy or associative recall.</param>
    /// <param name="traces">Training sequences traced to build candidates.</param>
    /// <param name="heldOut">Training sequences on which candidates are compared.</param>
    /// <param name="seed">Seed of the sequences and of k-means.</param>
    /// <exception cref="InvalidConfigurationException">The task has no extractor, or a count is below 1.</exception>
    public static ExtractionResult Extract(NeuralTuringMachine machine, ISequenceTask task, int traces, int heldOut, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(task);
        TaskSymbols symbols = TaskSymbols.For(task)
            ?? throw new InvalidConfigurationException($"ntm explain has no program extractor for the {task.Name} task; it extracts programs of copy, repeat-copy and associative-recall machines.");
        if (traces < 1 || heldOut < 1) throw new InvalidConfigurationException($"Extraction needs at least one traced and one held-out sequence, got {traces} and {heldOut}.");
        NtmConfig c = machine.Config;
        if (c.WriteHeads < 1) throw new InvalidConfigurationException("ntm explain needs a machine with a write head.");
        var rng = new Rng(seed);
        var traced = new List<(MachineTrace, StepInput[])>(traces);
        for (int i = 0; i < traces; i++)
        {
            SequenceBatch batch = task.Sample(rng, 1);
            traced.Add((machine.Trace(batch), symbols.Symbolize(batch, 0)));
        }
        var recorder = new StepRecorder(c, symbols.DataBits, traced);
        // Four readings of the same steps: unfocused read heads where their weight peaks or held in place,
        // and each move as the simplest consistent one or as the one most steps are consistent with.
        var readings = new List<(string Suffix, List<StepRecord> Records)>();
        foreach (bool hold in new[] { false, true })
        {
            recorder.HoldUnfocused = hold;
            recorder.Common = null;
            var plain = new List<StepRecord>();
            for (int i = 0; i < traced.Count; i++) plain.AddRange(recorder.Record(i, traced[i].Item1, traced[i].Item2));
            recorder.Common = StepRecorder.CountMoves(plain, c.Heads);
            var common = new List<StepRecord>();
            for (int i = 0; i < traced.Count; i++) common.AddRange(recorder.Record(i, traced[i].Item1, traced[i].Item2));
            readings.Add((hold ? ", held" : "", plain));
            readings.Add((hold ? ", held, common moves" : ", common moves", common));
        }
        List<StepRecord> records = readings[0].Records;
        int[] focus = traced[0].Item1.InitialFocus;
        int[] offsets = focus.Select(f => f - focus[0]).ToArray();

        var held = Enumerable.Range(0, heldOut).Select(_ => task.Sample(rng, 1)).ToList();
        var reference = held.Select(b => (symbols.Symbolize(b, 0), machine.Predict(b), b)).ToList();

        var hidden = records.Select(r => r.Hidden).ToList();
        var kmeans = new Dictionary<int, int[]>();
        foreach (int k in HiddenClusters.Concat(CombinedClusters).Distinct().Order())
            kmeans[k] = MachineBuilder.KMeans(hidden, k, new Rng(seed + (ulong)k));

        var candidates = new List<ExtractionCandidate>();
        (TapeProgram Program, ExtractionCandidate Candidate)? best = null;
        bool numbers = records.Any(r => r.Input.Symbol.Contains(' ', StringComparison.Ordinal));
        foreach (var (suffix, steps) in readings)
        {
            var labellings = new List<(string Name, int[] Labels, int Count)>();
            var byKey = new Dictionary<string, int>();
            int[] actionLabels = steps.Select(r => byKey.TryGetValue(r.ActionKey, out int l) ? l : byKey[r.ActionKey] = byKey.Count).ToArray();
            labellings.Add(("actions", actionLabels, byKey.Count));
            foreach (int k in HiddenClusters) labellings.Add(($"hidden {k}", kmeans[k], kmeans[k].Max() + 1));
            foreach (int k in CombinedClusters)
            {
                var combined = new Dictionary<(int, int), int>();
                int[] labels = steps.Select((_, i) => combined.TryGetValue((kmeans[k][i], actionLabels[i]), out int l) ? l : combined[(kmeans[k][i], actionLabels[i])] = combined.Count).ToArray();
                labellings.Add(($"hidden {k} x actions", labels, combined.Count));
            }
            foreach (var (name, labels, count) in labellings)
                foreach (var (reads, counts, faint) in new[] { (false, false, false), (true, false, false), (true, true, false), (false, false, true), (true, false, true), (true, true, true) })
                {
                    if (counts && !numbers) continue;
                    if (faint && suffix.Contains("held", StringComparison.Ordinal)) continue;
                    var (program, used) = MachineBuilder.Build(steps, labels, count, c.WriteHeads, c.ReadHeads, symbols.DataBits, c.OutputSize, offsets, reads, counts, faint);
                    double agreement = reference.Count(r => ProgramAgreement.Compare(program, r.Item1, r.Item2, r.b, 0, c.MemoryRows).Sequence) / (double)reference.Count;
                    double consistency = program.States.Sum(st => st.Agreeing) / (double)Math.Max(1, program.States.Sum(st => st.Visits));
                    var candidate = new ExtractionCandidate(name + (reads ? " + reads" : "") + (counts ? " + counter" : "") + (faint ? " + faint moves" : "") + suffix, used, program.States.Count, agreement, consistency);
                    candidates.Add(candidate);
                    if (best is null || Better(candidate, best.Value.Candidate)) best = (program, candidate);
                }
        }
        return new ExtractionResult(best!.Value.Program, best.Value.Candidate, candidates, traces, heldOut);
    }
}
