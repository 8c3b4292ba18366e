using System.Globalization;
using Ntm.Benchmarking;

namespace Ntm.Benchmarks;

/// <summary>
/// The end-to-end training benchmark: <see cref="ThroughputBenchmark"/> on batch 1 / 1 thread,
/// batch 8 / 1 thread and batch 8 / every core, printed as a markdown table.
/// </summary>
public static class ThroughputMode
{
    /// <summary>Runs it; <c>--seconds S</c> is the timed time per configuration (default 6, in 5 repetitions).</summary>
    public static int Run(string[] args)
    {
        double seconds = 6;
        if (args.Length == 2 && args[0] == "--seconds" && double.TryParse(args[1], CultureInfo.InvariantCulture, out double s) && s > 0) seconds = s;
        else if (args.Length != 0)
        {
            Console.Error.WriteLine("error: usage: --throughput [--seconds S] with S > 0");
            return 2;
        }
        Console.WriteLine("| batch | threads | shards | sequences/s | flops/sequence | GFLOP/s | ceiling GFLOP/s (fwd) | ceiling GFLOP/s (bwd) | ratio | repetitions (sequences/s) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (batch, threads) in new[] { (1, 1), (8, 1), (8, Environment.ProcessorCount) })
        {
            ThroughputResult r = ThroughputBenchmark.Run(new ThroughputOptions
            {
                BatchSize = batch,
                Threads = threads,
                Repetitions = 5,
                RepetitionSeconds = seconds / 5,
                WarmupSeconds = seconds / 3,
                CeilingSeconds = seconds / 12,
            });
            string reps = string.Join(", ", r.RepetitionSequencesPerSecond.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.BatchSize} | {r.Threads} | {r.Shards} | {r.SequencesPerSecond:F1} | {r.FlopsPerSequence:N0} | {r.Gflops:F2} | {r.CeilingGflops:F2} | {r.CeilingBackwardGflops:F2} | {r.Ratio:F2} | {reps} |"));
        }
        return 0;
    }
}
