using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Programs;

/// <summary>
/// One head of a priority-sort machine in its output phase: on how many output steps it held at least the sharpness
/// threshold of its weight on one row, and of those, how many were on the row that stores the vector of rank
/// <c>k - lag</c> when the vector of rank k is due (lag 0: the vector being output; 1: the one output one step
/// before; -1: the next one).
/// </summary>
/// <param name="Kind">"write" or "read".</param>
/// <param name="Index">The head's number among heads of its kind.</param>
/// <param name="SharpSteps">Output steps with a weight at or above the threshold on one row.</param>
/// <param name="ByLag">Of those, the count on the row of rank k - lag, for lag = <see cref="SortHeadAnalysis.MinLag"/> .. <see cref="SortHeadAnalysis.MaxLag"/>.</param>
public sealed record SortHeadRow(string Kind, int Index, int SharpSteps, int[] ByLag)
{
    /// <summary>The lag with the most steps, and that count (null when no sharp step landed on a stored vector).</summary>
    public (int Lag, int Steps)? Mode
    {
        get
        {
            int best = -1;
            for (int i = 0; i < ByLag.Length; i++)
                if (ByLag[i] > 0 && (best < 0 || ByLag[i] > ByLag[best])) best = i;
            return best < 0 ? null : (best + SortHeadAnalysis.MinLag, ByLag[best]);
        }
    }
}

/// <summary>
/// What a priority-sort machine's heads do (docs/results.md, "Priority sort"), measured on traced sequences.
/// The input phase: which write head stores the vectors (the one whose focus visits the most rows), whether
/// it walks the rows in arrival order (consecutive rows) or places each vector by its priority (the paper's
/// hypothesis, section 4.5: the write location a linear function of the priority), measured by the rank correlation
/// of row and priority. The output phase: each head's focus relative to the rows of the stored vectors, by the rank
/// of the vector due (<see cref="SortHeadRow"/>).
/// </summary>
/// <param name="Sequences">Sequences traced.</param>
/// <param name="OutputSteps">Output steps over all of them.</param>
/// <param name="StoringHead">The write head that stores the vectors.</param>
/// <param name="ConsecutiveFraction">Of the storing head's moves between input steps, the fraction to a neighbouring row (either direction, the tape wrapping).</param>
/// <param name="PriorityRowCorrelation">The Spearman correlation of the storing head's row and the vector's priority, averaged over sequences (about 0 in arrival order, near ±1 for rows chosen by priority).</param>
/// <param name="Heads">Every head in the output phase, write heads first.</param>
public sealed record SortHeadAnalysis(int Sequences, int OutputSteps, int StoringHead, double ConsecutiveFraction, double PriorityRowCorrelation,
    IReadOnlyList<SortHeadRow> Heads)
{
    /// <summary>The smallest lag counted (-3: the vector due three steps later).</summary>
    public const int MinLag = -3;
    /// <summary>The largest lag counted (3: the vector output three steps before).</summary>
    public const int MaxLag = 3;

    /// <summary>
    /// Traces <paramref name="count"/> sequences of <paramref name="task"/> drawn from <paramref name="rng"/> through
    /// <paramref name="model"/> and measures its heads; a weight of at least <paramref name="sharpness"/> on one row
    /// counts as a focus.
    /// </summary>
    /// <exception cref="InvalidConfigurationException"><paramref name="count"/> is below 1, the sharpness is not in (0, 1], or the machine has no write head.</exception>
    public static SortHeadAnalysis Measure(NeuralTuringMachine model, PrioritySortTask task, int count, Rng rng, float sharpness = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 1) throw new InvalidConfigurationException($"Trace at least 1 sequence, got {count}.");
        var traces = new List<MachineTrace>(count);
        for (int i = 0; i < count; i++) traces.Add(model.Trace(task.Sample(rng, 1)));
        return Measure(traces, task, sharpness);
    }

    /// <summary>The measurement of <see cref="Measure(NeuralTuringMachine, PrioritySortTask, int, Rng, float)"/> on given traces of <paramref name="task"/>'s sequences.</summary>
    public static SortHeadAnalysis Measure(IReadOnlyList<MachineTrace> traces, PrioritySortTask task, float sharpness = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Count == 0) throw new InvalidConfigurationException("Measure at least one traced sequence.");
        if (!(sharpness > 0 && sharpness <= 1)) throw new InvalidConfigurationException($"The sharpness must be in (0, 1], got {sharpness}.");
        int writeHeads = traces[0].WriteWeightings.Length, readHeads = traces[0].ReadWeightings.Length;
        if (writeHeads == 0) throw new InvalidConfigurationException("A machine without write heads stores nothing to analyse.");
        int n = task.Inputs;

        // The storing head: the write head whose peaks over the input steps fall on the most distinct rows (a head that
        // stays on one row while the vectors come in stores at most one of them), the sharper one on a tie.
        int storing = Enumerable.Range(0, writeHeads)
            .Select(h => (h,
                rows: traces.Average(t => Enumerable.Range(0, n).Select(s => Peak(t.WriteWeightings[h], s).Row).Distinct().Count()),
                weight: traces.Average(t => Enumerable.Range(0, n).Average(s => Peak(t.WriteWeightings[h], s).Weight))))
            .OrderByDescending(x => x.rows).ThenByDescending(x => x.weight).First().h;

        var rows = Enumerable.Range(0, writeHeads + readHeads).Select(_ => new int[MaxLag - MinLag + 1]).ToArray();
        var sharp = new int[writeHeads + readHeads];
        int outputSteps = 0, moves = 0, consecutive = 0;
        double correlation = 0;
        foreach (MachineTrace t in traces)
        {
            int memoryRows = t.WriteWeightings[0].GetLength(1);
            var rowOf = new int[n];
            var priority = new double[n];
            for (int s = 0; s < n; s++)
            {
                rowOf[s] = Peak(t.WriteWeightings[storing], s).Row;
                priority[s] = t.Inputs[s, task.PriorityChannel];
                if (s > 0)
                {
                    moves++;
                    int step = ((rowOf[s] - rowOf[s - 1]) % memoryRows + memoryRows) % memoryRows;
                    if (step == 1 || step == memoryRows - 1) consecutive++;
                }
            }
            correlation += Spearman(rowOf.Select(r => (double)r).ToArray(), priority);
            // The input of each row (the last one written there), and each input's rank: 0 for the highest priority,
            // ties in input order as the task breaks them.
            var inputAt = new Dictionary<int, int>();
            for (int s = 0; s < n; s++) inputAt[rowOf[s]] = s;
            int[] byRank = Enumerable.Range(0, n).OrderByDescending(s => priority[s]).ThenBy(s => s).ToArray();
            var rank = new int[n];
            for (int r = 0; r < n; r++) rank[byRank[r]] = r;

            int k = 0;
            for (int step = 0; step < t.Mask.Length; step++)
            {
                if (t.Mask[step] == 0) continue;
                outputSteps++;
                for (int h = 0; h < writeHeads + readHeads; h++)
                {
                    float[,] w = h < writeHeads ? t.WriteWeightings[h] : t.ReadWeightings[h - writeHeads];
                    var (row, weight) = Peak(w, step);
                    if (weight < sharpness) continue;
                    sharp[h]++;
                    if (!inputAt.TryGetValue(row, out int input)) continue;
                    int lag = k - rank[input];
                    if (lag >= MinLag && lag <= MaxLag) rows[h][lag - MinLag]++;
                }
                k++;
            }
        }
        var heads = Enumerable.Range(0, writeHeads + readHeads)
            .Select(h => new SortHeadRow(h < writeHeads ? "write" : "read", h < writeHeads ? h : h - writeHeads, sharp[h], rows[h])).ToList();
        return new SortHeadAnalysis(traces.Count, outputSteps, storing, moves > 0 ? (double)consecutive / moves : 0, correlation / traces.Count, heads);
    }

    /// <summary>The row of the largest weight at a step, and the weight.</summary>
    private static (int Row, float Weight) Peak(float[,] w, int step)
    {
        int best = 0;
        for (int r = 1; r < w.GetLength(1); r++)
            if (w[step, r] > w[step, best]) best = r;
        return (best, w[step, best]);
    }

    /// <summary>The Spearman rank correlation of two equally long samples (average ranks for ties); 0 when either is constant.</summary>
    internal static double Spearman(double[] a, double[] b)
    {
        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(double[] x)
    {
        int[] order = Enumerable.Range(0, x.Length).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && x[order[j + 1]] == x[order[i]]) j++;
            for (int m = i; m <= j; m++) ranks[order[m]] = (i + j) / 2.0;
            i = j + 1;
        }
        return ranks;
    }
}
