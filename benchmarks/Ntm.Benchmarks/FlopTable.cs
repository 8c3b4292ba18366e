using System.Globalization;
using Ntm.Benchmarking;
using Ntm.Training;

namespace Ntm.Benchmarks;

/// <summary>Prints <see cref="FlopCount"/>'s terms for the copy machine as a markdown table.</summary>
public static class FlopTable
{
    /// <summary>Prints the table: flops per step (or per scored step, or per sequence) and per average copy sequence.</summary>
    public static int Run()
    {
        FlopCount count = FlopCount.For(ThroughputBenchmark.CopyConfig);
        const double steps = 22, scored = 10.5;   // copy lengths uniform in 1..20: mean 2 L + 1 = 22 steps, L = 10.5 scored
        string F(double x) => x.ToString("N0", CultureInfo.InvariantCulture);
        Console.WriteLine("| term | paid | forward | backward | per average sequence (fwd + bwd) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (FlopTerm t in count.Terms)
        {
            double times = t.Scope switch { FlopScope.Step => steps, FlopScope.ScoredStep => scored, _ => 1 };
            string paid = t.Scope switch { FlopScope.Step => "every step", FlopScope.ScoredStep => "scored step", _ => "per sequence" };
            Console.WriteLine($"| {t.Name} | {paid} | {F(t.Forward)} | {F(t.Backward)} | {F(times * t.Total)} |");
        }
        Console.WriteLine($"| **all step terms** | every step | {F(count.ForwardPerStep)} | {F(count.BackwardPerStep)} | |");
        FlopTotals avg = count.CopyAverage();
        Console.WriteLine($"| **average copy sequence** (22 steps, 10.5 scored) | | {F(avg.Forward)} | {F(avg.Backward)} | {F(avg.Total)} |");
        foreach (var (batch, shards) in new[] { (1, 1), (8, 2) })
        {
            double opt = count.OptimizerStep(OptimizerKind.RmsProp, shards) / (double)batch;
            Console.WriteLine($"| RMSProp step share, batch {batch}, {shards} shard{(shards == 1 ? "" : "s")} ({count.ParameterCount:N0} parameters) | per sequence | | | {F(opt)} |");
        }
        Console.WriteLine();
        Console.WriteLine("Forward flops per step at the points of GrowthBenchmarks:");
        Console.WriteLine("| N | H | controller + projections | addressing + memory | total forward per step |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (GrowthCase g in GrowthBenchmarks.Cases)
        {
            FlopCount c = FlopCount.For(ThroughputBenchmark.CopyConfig with { MemoryRows = g.MemoryRows, ControllerSize = g.ControllerSize });
            long dense = c.Terms.Where(t => t.Scope == FlopScope.Step && (t.Name.StartsWith("controller", StringComparison.Ordinal)
                || t.Name.StartsWith("head", StringComparison.Ordinal) || t.Name.StartsWith("output", StringComparison.Ordinal))).Sum(t => t.Forward);
            Console.WriteLine($"| {g.MemoryRows} | {g.ControllerSize} | {F(dense)} | {F(c.ForwardPerStep - dense)} | {F(c.ForwardPerStep)} |");
        }
        return 0;
    }
}
