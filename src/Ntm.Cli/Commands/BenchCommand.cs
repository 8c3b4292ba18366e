using System.CommandLine;
using Ntm.Benchmarking;
using Spectre.Console;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm bench</c>: training throughput of the paper's copy machine in three configurations.</summary>
internal static class BenchCommand
{
    /// <summary>Timed repetitions per configuration; <c>--seconds</c> is split between them.</summary>
    public const int Repetitions = 5;

    public static Command Build()
    {
        int defaultBatch = ThroughputOptions.DefaultBatchSize;
        var json = Cli.Opt("--json", "Print a JSON array, one object per configuration, instead of a table.", false);
        var seconds = Cli.Opt("--seconds", $"Timed seconds per configuration, split into {Repetitions} repetitions (warm-up and the kernel ceiling add half as much again).", 6.0);
        seconds.Validators.Add(r =>
        {
            if (Cli.TryGetValue(r, out double v) && (!(v > 0) || v > 3600)) r.AddError($"--seconds must be above 0 and at most 3600, got {v}.");
        });
        var batchSize = Cli.Opt("--batch-size", "Sequences per minibatch of the second and third configurations (the first is always 1, the trainer's default).", defaultBatch).AtLeast(1);
        var cmd = new Command("bench",
            "Measure training throughput on the copy task (LSTM 100, memory 128 x 20): batch 1 on 1 thread, the batch size on 1 thread, "
            + "and on every core; sequences/s, flops per sequence, GFLOP/s, the GFLOP/s of the controller's matrix kernel alone, and the machine's measured peak.")
        { json, seconds, batchSize };
        cmd.SetAction(p => Cli.Run(() =>
        {
            double s = p.GetValue(seconds);
            int batch = p.GetValue(batchSize);
            bool asJson = p.GetValue(json);
            (int Batch, int Threads)[] configurations = [(1, 1), (batch, 1), (batch, Environment.ProcessorCount)];
            var results = new List<ThroughputResult>();
            foreach (var (b, t) in configurations)
            {
                if (!asJson) Console.Error.WriteLine($"Measuring batch {b} on {t} thread{(t == 1 ? "" : "s")} for about {Cli.F(s * 3 / 2, 1)} s...");
                results.Add(ThroughputBenchmark.Run(new ThroughputOptions
                {
                    BatchSize = b,
                    Threads = t,
                    Repetitions = Repetitions,
                    RepetitionSeconds = s / Repetitions,
                    WarmupSeconds = s / 3,
                    CeilingSeconds = s / 12,
                }));
            }

            if (asJson)
            {
                Cli.PrintJson(results);
                return 0;
            }
            if (Console.IsOutputRedirected)
            {
                foreach (var r in results)
                    Console.WriteLine(
                        $"batch {r.BatchSize} threads {r.Threads} shards {r.Shards}: {Cli.F(r.SequencesPerSecond, 1)} sequences/s, "
                        + $"{r.FlopsPerSequence:F0} flops/sequence, {Cli.F(r.Gflops, 2)} GFLOP/s, ceiling {Cli.F(r.CeilingGflops, 2)} GFLOP/s, ratio {Cli.F(r.Ratio, 2)}, "
                        + $"peak {Cli.F(r.PeakGflops, 2)} GFLOP/s on {r.ThreadsUsed} thread{(r.ThreadsUsed == 1 ? "" : "s")}");
                return 0;
            }
            var table = new Table().Title($"Copy-task training throughput (median of {Repetitions} repetitions of {Cli.F(s / Repetitions, 2)} s)");
            table.AddColumns("batch", "threads", "shards");
            foreach (string c in new[] { "seq/s", "Mflop/seq", "GFLOP/s", "ceiling GFLOP/s", "ratio", "peak GFLOP/s" })
                table.AddColumn(new TableColumn(c).RightAligned());
            foreach (var r in results)
                table.AddRow(r.BatchSize.ToString(), r.Threads.ToString(), r.Shards.ToString(), Cli.F(r.SequencesPerSecond, 1),
                    Cli.F(r.FlopsPerSequence / 1e6, 2), Cli.F(r.Gflops, 2), Cli.F(r.CeilingGflops, 2), Cli.F(r.Ratio, 2), Cli.F(r.PeakGflops, 2));
            AnsiConsole.Write(table);
            Console.WriteLine($"ceiling: Linear.Forward on the controller's {ThroughputBenchmark.GateRows(ThroughputBenchmark.CopyConfig)} x {ThroughputBenchmark.GateCols(ThroughputBenchmark.CopyConfig)} gate matrix over one shard's sequences, one loop per busy thread, summed.");
            Console.WriteLine($"peak: fused multiply-adds on {PeakFlops.VectorWidth}-float vectors, no memory traffic, one loop per busy thread, summed.");
            return 0;
        }));
        return cmd;
    }
}
