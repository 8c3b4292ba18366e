using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ntm.Numerics;

namespace Ntm.Benchmarking;

/// <summary>
/// The machine's measured single-precision peak: a loop of fused multiply-adds on twelve
/// independent accumulators of the widest vector the processor accelerates (512, 256 bits, or
/// one float), with no memory traffic, so it runs at the rate the floating-point units issue them.
/// Each multiply-add counts 2 flops per lane. Nothing the training does can run faster per thread.
/// </summary>
public static class PeakFlops
{
    // Multiply-adds in flight per loop iteration: more than latency x issue width on current cores (4 x 2).
    private const int Chains = 12;
    private const int Iterations = 4096;
    private static float _sink;

    /// <summary>Floats per vector of the loop: 16, 8 or 1.</summary>
    public static int VectorWidth => Gemm.Best switch
    {
        GemmPath.Vector512 => Gemm512.Count,
        GemmPath.Vector256 => Gemm256.Count,
        _ => 1,
    };

    /// <summary>
    /// GFLOP/s of <paramref name="threads"/> multiply-add loops running at the same time for about
    /// <paramref name="seconds"/> each, after a short warm-up, their rates summed. Each loop's rate is
    /// that of its fastest call (about 25 us of work on a current core): the least disturbed by other
    /// work sharing the core, so the figure stays the hardware's even on a busy machine.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The thread count or the time is out of range.</exception>
    public static double Measure(int threads, double seconds)
    {
        if (threads < 1 || threads > 1024 || !(seconds > 0) || seconds > 3600)
            throw new InvalidConfigurationException($"The peak needs 1 to 1024 threads and a time above 0 and at most 3600 s, got {threads} threads and {seconds} s.");
        var rates = new double[threads];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            workers[i] = new Thread(() => rates[index] = Run(seconds, start)) { IsBackground = true, Name = $"peak {index}" };
            workers[i].Start();
        }
        foreach (Thread t in workers) t.Join();
        return rates.Sum() / 1e9;
    }

    // Flops per second of one loop.
    private static double Run(double seconds, Barrier start)
    {
        Func<float> call = Gemm.Best switch
        {
            GemmPath.Vector512 => Loop<Gemm512>,
            GemmPath.Vector256 => Loop<Gemm256>,
            _ => Loop<Gemm1>,
        };
        double perCall = 2.0 * Chains * Iterations * VectorWidth;
        long warmEnd = Stopwatch.GetTimestamp() + (long)(Math.Min(0.1, seconds / 4) * Stopwatch.Frequency);
        float sink = 0;
        do sink += call(); while (Stopwatch.GetTimestamp() < warmEnd);
        start.SignalAndWait();
        long fastest = long.MaxValue, now = Stopwatch.GetTimestamp(), end = now + (long)(seconds * Stopwatch.Frequency);
        do
        {
            long before = now;
            sink += call();
            now = Stopwatch.GetTimestamp();
            fastest = Math.Min(fastest, now - before);
        } while (now < end);
        _sink = sink;
        return perCall / (Math.Max(fastest, 1) / (double)Stopwatch.Frequency);
    }

    // Twelve chains a = a m + c (m just below 1, so the values settle near c / (1 - m) and stay normal).
    // Compiled fully optimised at once: a first tier-0 version would be timed otherwise.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TV>() where TV : struct, IGemmVector<TV>
    {
        TV m = TV.Broadcast(0.9999f), c = TV.Broadcast(1e-4f);
        TV a0 = TV.Broadcast(0.1f), a1 = TV.Broadcast(0.2f), a2 = TV.Broadcast(0.3f), a3 = TV.Broadcast(0.4f);
        TV a4 = TV.Broadcast(0.5f), a5 = TV.Broadcast(0.6f), a6 = TV.Broadcast(0.7f), a7 = TV.Broadcast(0.8f);
        TV a8 = TV.Broadcast(0.9f), a9 = TV.Broadcast(1.0f), a10 = TV.Broadcast(1.1f), a11 = TV.Broadcast(1.2f);
        for (int i = 0; i < Iterations; i++)
        {
            a0 = TV.Fma(a0, m, c); a1 = TV.Fma(a1, m, c); a2 = TV.Fma(a2, m, c); a3 = TV.Fma(a3, m, c);
            a4 = TV.Fma(a4, m, c); a5 = TV.Fma(a5, m, c); a6 = TV.Fma(a6, m, c); a7 = TV.Fma(a7, m, c);
            a8 = TV.Fma(a8, m, c); a9 = TV.Fma(a9, m, c); a10 = TV.Fma(a10, m, c); a11 = TV.Fma(a11, m, c);
        }
        TV s = TV.Add(TV.Add(TV.Add(a0, a1), TV.Add(a2, a3)), TV.Add(TV.Add(a4, a5), TV.Add(a6, a7)));
        return TV.Sum(TV.Add(s, TV.Add(TV.Add(a8, a9), TV.Add(a10, a11))));
    }
}
