using System.Diagnostics;
using System.Globalization;
using Ntm.Benchmarking;
using Ntm.Numerics;

namespace Ntm.Benchmarks;

/// <summary>
/// <c>--gemm-compare [--rounds R]</c>: the shapes of <see cref="GemmBenchmarks"/> and
/// <see cref="GemmSquareBenchmarks"/>, our kernel and OpenBLAS taking turns R times (default 30) in
/// short timed batches of calls, so both see the same load on a shared machine. Prints, per shape
/// and implementation, the fastest and the median batch as GFLOP/s, and our rate over OpenBLAS's
/// at each. The fastest batch is the least disturbed by other work; the median includes the disturbance.
/// </summary>
internal static class GemmCompare
{
    public static int Run(string[] args)
    {
        int rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        if (!OpenBlas.Available) Console.WriteLine($"OpenBLAS not found ({OpenBlas.Missing}); only our kernels are timed.");
        int rows = ThroughputBenchmark.GateRows(ThroughputBenchmark.CopyConfig), cols = ThroughputBenchmark.GateCols(ThroughputBenchmark.CopyConfig);
        Console.WriteLine($"Gemm path {Gemm.Best}; OpenBLAS {(OpenBlas.Available ? $"{OpenBlas.Library} (core {OpenBlas.Core})" : "absent")}, 1 thread; {rounds} rounds, taking turns.");
        Console.WriteLine();
        Console.WriteLine("| operation | m x n x k | ours, fastest | OpenBLAS, fastest | ratio | ours, median | OpenBLAS, median | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (int batch in new[] { 8, 16 })
        {
            var rng = new Rng(1);
            float[] w = GemmConfig.Random(rng, rows * cols, 0.1f), bias = GemmConfig.Random(rng, rows, 0.1f), x = GemmConfig.Random(rng, batch * cols, 1f);
            float[] y = new float[batch * rows], dy = GemmConfig.Random(rng, batch * rows, 1e-3f), dx = new float[batch * cols], dw = new float[rows * cols];
            int count = GemmBenchmarks.Steps * batch;
            float[] xAll = GemmConfig.Random(rng, count * cols, 1f), dyAll = GemmConfig.Random(rng, count * rows, 1e-3f);
            Row($"forward, shard of {batch}", $"{batch} x {rows} x {cols}", 2.0 * rows * cols * batch, rounds,
                () => Gemm.Forward(Gemm.Best, w, bias, rows, cols, x, cols, y, rows, batch),
                () => OpenBlas.Gemm(false, true, batch, rows, cols, 1f, x, cols, w, cols, 0f, y, rows));
            Row($"input gradient, shard of {batch}", $"{batch} x {cols} x {rows}", 2.0 * rows * cols * batch, rounds,
                () => Gemm.InputGradient(Gemm.Best, dx, cols, w, rows, cols, dy, rows, batch),
                () => OpenBlas.Gemm(false, false, batch, cols, rows, 1f, dy, rows, w, cols, 1f, dx, cols));
            Row($"weight gradient, shard of {batch}, {GemmBenchmarks.Steps} steps", $"{rows} x {cols} x {count}", 2.0 * rows * cols * count, rounds,
                () => Gemm.WeightGradient(Gemm.Best, dw, rows, cols, xAll, cols, dyAll, rows, count),
                () => OpenBlas.Gemm(true, false, rows, cols, count, 1f, dyAll, rows, xAll, cols, 1f, dw, cols));
        }
        const int n = 1024;
        var r2 = new Rng(2);
        float[] a = GemmConfig.Random(r2, n * n, 1f), b = GemmConfig.Random(r2, n * n, 1f), c = new float[n * n], zero = new float[n];
        Row("square, C = A B^T", $"{n} x {n} x {n}", 2.0 * n * n * n, Math.Max(3, rounds / 6),
            () => Gemm.Forward(Gemm.Best, b, zero, n, n, a, n, c, n, n),
            () => OpenBlas.Gemm(false, true, n, n, n, 1f, a, n, b, n, 0f, c, n));
        return 0;
    }

    private static void Row(string name, string shape, double flops, int rounds, Action ours, Action blas)
    {
        // Calls per timed batch: about 2 ms of work at 100 GFLOP/s.
        int calls = (int)Math.Clamp(2e-3 * 100e9 / flops, 1, 10_000);
        var tOurs = new List<double>();
        var tBlas = new List<double>();
        for (int i = 0; i < 3; i++) { ours(); if (OpenBlas.Available) blas(); }
        for (int r = 0; r < rounds; r++)
        {
            for (int rep = 0; rep < 5; rep++)
            {
                tOurs.Add(Time(ours, calls));
                if (OpenBlas.Available) tBlas.Add(Time(blas, calls));
            }
        }
        string G(double s) => (flops / s / 1e9).ToString("F1", CultureInfo.InvariantCulture);
        double oMin = tOurs.Min(), oMed = ThroughputBenchmark.Median(tOurs);
        if (!OpenBlas.Available)
        {
            Console.WriteLine($"| {name} | {shape} | {G(oMin)} | - | - | {G(oMed)} | - | - |");
            return;
        }
        double bMin = tBlas.Min(), bMed = ThroughputBenchmark.Median(tBlas);
        Console.WriteLine($"| {name} | {shape} | {G(oMin)} | {G(bMin)} | {(bMin / oMin).ToString("F2", CultureInfo.InvariantCulture)} | {G(oMed)} | {G(bMed)} | {(bMed / oMed).ToString("F2", CultureInfo.InvariantCulture)} |");
    }

    // Seconds per call, over a batch of calls.
    private static double Time(Action call, int calls)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) call();
        return (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency / calls;
    }
}
