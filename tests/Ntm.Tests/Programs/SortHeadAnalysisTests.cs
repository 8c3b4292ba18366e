using Ntm.Model;
using Ntm.Numerics;
using Ntm.Programs;
using Ntm.Tasks;
using Ntm.Tests.Cli;
using Ntm.Tests.Io;
using Xunit;

namespace Ntm.Tests.Programs;

/// <summary>The priority-sort head analysis on traces whose heads do known things, and through <c>ntm explain</c>.</summary>
public sealed class SortHeadAnalysisTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const int Rows = 8;

    /// <summary>
    /// A trace of <paramref name="task"/> with the given priorities: write head 0 puts input s on row
    /// <paramref name="rowOf"/>(s) and write head 1 stays on row 0 while the vectors come in; in the output phase
    /// (step k of the outputs) read head 0 holds 0.9 on the row of rank k, read head 1 0.8 on the row of rank k + 1
    /// (the next one), write head 1 0.7 on the row of rank k - 1, and read head 2 spreads evenly (never sharp).
    /// </summary>
    private static MachineTrace Trace(PrioritySortTask task, double[] priorities, Func<int, int> rowOf)
    {
        int n = task.Inputs, m = task.Outputs, steps = n + 1 + m;
        var inputs = new float[steps, task.InputSize];
        for (int s = 0; s < n; s++) inputs[s, task.PriorityChannel] = (float)priorities[s];
        inputs[n, task.DelimiterChannel] = 1;
        var mask = new float[steps];
        var write = new[] { new float[steps, Rows], new float[steps, Rows] };
        var read = new[] { new float[steps, Rows], new float[steps, Rows], new float[steps, Rows] };
        int[] byRank = Enumerable.Range(0, n).OrderByDescending(s => priorities[s]).ToArray();
        for (int t = 0; t < steps; t++)
        {
            for (int r = 0; r < Rows; r++) read[2][t, r] = 1f / Rows;
            if (t < n)
            {
                write[0][t, rowOf(t)] = 1;
                write[1][t, 0] = 1;
                continue;
            }
            if (t == n) continue;
            int k = t - n - 1;
            mask[t] = 1;
            Spread(read[0], t, rowOf(byRank[k]), 0.9f);
            if (k + 1 < n) Spread(read[1], t, rowOf(byRank[k + 1]), 0.8f);
            if (k >= 1) Spread(write[1], t, rowOf(byRank[k - 1]), 0.7f);
        }
        return new MachineTrace
        {
            Inputs = inputs, Targets = new float[steps, task.OutputSize], Outputs = new float[steps, task.OutputSize], Mask = mask,
            ReadWeightings = read, WriteWeightings = write, ReadVectors = [], EraseVectors = [], AddVectors = [], FinalMemory = new float[Rows, 4],
        };
    }

    /// <summary>Puts <paramref name="peak"/> on one row and the rest evenly on the others.</summary>
    private static void Spread(float[,] w, int t, int row, float peak)
    {
        for (int r = 0; r < Rows; r++) w[t, r] = r == row ? peak : (1 - peak) / (Rows - 1);
    }

    [Fact]
    public void Heads_are_counted_by_the_rank_of_the_vector_they_look_at()
    {
        var task = new PrioritySortTask(bits: 2, inputs: 5, outputs: 4);
        double[] priorities = [0.1, 0.9, -0.5, 0.3, -0.8];
        SortHeadAnalysis a = SortHeadAnalysis.Measure([Trace(task, priorities, s => s + 1)], task);

        Assert.Equal(4, a.OutputSteps);
        Assert.Equal(0, a.StoringHead);           // head 1 stays on row 0 while the vectors come in
        Assert.Equal(1.0, a.ConsecutiveFraction);
        // Rows 1..5 in arrival order (ranks 0..4) against the priorities' ranks from the lowest (2, 4, 1, 3, 0):
        // squared rank differences 4 + 9 + 1 + 0 + 16 = 30, so 1 - 6 * 30 / (5 * 24).
        Assert.Equal(1 - 6.0 * 30 / 120, a.PriorityRowCorrelation, 12);
        SortHeadRow Head(string kind, int i) => a.Heads.Single(h => h.Kind == kind && h.Index == i);
        Assert.Equal((0, 4), Head("read", 0).Mode);     // the vector due, at every output step
        Assert.Equal((-1, 4), Head("read", 1).Mode);    // the next one
        Assert.Equal((1, 3), Head("write", 1).Mode);    // the one output a step before, from the second output step on
        Assert.Equal(0, Head("read", 2).SharpSteps);
        Assert.Null(Head("read", 2).Mode);
    }

    [Fact]
    public void Rows_chosen_by_priority_correlate_with_it()
    {
        var task = new PrioritySortTask(bits: 2, inputs: 5, outputs: 4);
        double[] priorities = [0.1, 0.9, -0.5, 0.3, -0.8];
        // The highest priority on row 7, the lowest on row 3: the row falls as the priority falls.
        int[] rank = [2, 0, 3, 1, 4];
        SortHeadAnalysis a = SortHeadAnalysis.Measure([Trace(task, priorities, s => 7 - rank[s])], task);
        Assert.Equal(1.0, a.PriorityRowCorrelation, 12);
        Assert.True(a.ConsecutiveFraction < 1);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties_and_is_zero_for_a_constant()
    {
        Assert.Equal(1.0, SortHeadAnalysis.Spearman([1, 2, 2, 3], [10, 20, 20, 30]), 12);
        Assert.Equal(-1.0, SortHeadAnalysis.Spearman([1, 2, 3], [3, 2, 1]), 12);
        Assert.Equal(0.0, SortHeadAnalysis.Spearman([1, 1, 1], [1, 2, 3]));
    }

    [Fact]
    public void Bad_arguments_are_typed_errors()
    {
        var task = new PrioritySortTask(bits: 2, inputs: 5, outputs: 4);
        Assert.Throws<InvalidConfigurationException>(() => SortHeadAnalysis.Measure([], task));
        MachineTrace t = Trace(task, [0.1, 0.9, -0.5, 0.3, -0.8], s => s);
        Assert.Throws<InvalidConfigurationException>(() => SortHeadAnalysis.Measure([t], task, sharpness: 0));
    }

    [Fact]
    public void Explain_on_a_priority_sort_run_prints_the_heads_and_writes_heads_json()
    {
        string run = _dir.File("run");
        var (exit, stdout, stderr) = CliProcess.Run("train", "priority-sort", "--set", "inputs=5", "--set", "outputs=4", "--set", "bits=3",
            "--sequences", "40", "--report-every", "20", "--controller-size", "12", "--memory-rows", "10", "--memory-width", "6",
            "--out", run, "--seed", "3");
        Assert.True(exit == 0, stderr);
        (exit, stdout, stderr) = CliProcess.Run("explain", run, "--traces", "5", "--out", _dir.Path);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("priority-sort: what the heads do, over 5 traced sequences (20 output steps)", stdout);
        Assert.Contains("read head 0:", stdout);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_dir.File("heads.json")));
        Assert.Equal(20, doc.RootElement.GetProperty("output_steps").GetInt32());
        Assert.Equal(7, doc.RootElement.GetProperty("heads")[0].GetProperty("by_lag").GetArrayLength());
    }
}
