using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Benchmarks;

/// <summary>
/// Managed memory of training on one long sequence: the copy machine runs forward, loss and
/// backward through time on one random sequence of 1,000, 5,000 and 10,000 steps. The workspace
/// records every step, so memory grows linearly; this prints what was measured beside the formula.
/// </summary>
public static class LongSequences
{
    /// <summary>Runs the three lengths and prints a markdown table.</summary>
    public static int Run()
    {
        NtmConfig config = Benchmarking.ThroughputBenchmark.CopyConfig;
        var layout = new ParameterLayout(config);
        long perStepFloats = PerStepFloats(config, layout);
        Console.WriteLine($"predicted workspace floats per step (per sequence): {perStepFloats:N0} = {4 * perStepFloats:N0} bytes");
        Console.WriteLine("| steps | workspace arrays (MB) | managed heap growth (MB) | peak working set (MB) | bytes per step (heap / steps) | seconds (fwd + bwd) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (int i = 0; i < 3; i++) Measure(config, layout, 1000, print: false);   // lets the engine reach optimised code first
        foreach (int steps in new[] { 1000, 5000, 10000 }) Measure(config, layout, steps, print: true);
        return 0;
    }

    // In its own frame, so nothing of one length is still reachable when the next is measured.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Measure(NtmConfig config, ParameterLayout layout, int steps, bool print)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);

        var model = NeuralTuringMachine.Create(config, 1);
        var batch = new SequenceBatch(steps, 1, config.InputSize, config.OutputSize);
        var rng = new Rng(7);
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < config.OutputSize; j++) batch.Input(t, 0)[j] = rng.NextBit() ? 1 : 0;
            for (int j = 0; j < config.OutputSize; j++) batch.Target(t, 0)[j] = rng.NextBit() ? 1 : 0;
            batch.MaskAt(t, 0) = 1;
        }
        var ws = model.Workspace(0);
        var grad = new float[layout.Count];
        var cost = new double[1];
        var errors = new double[1];
        NeuralTuringMachine.Load(batch, ws, 0, 1);
        var clock = Stopwatch.StartNew();
        model.Engine.Forward(model.Parameters, ws, steps, 1);
        model.Engine.Loss(ws, steps, 1, cost, errors);
        double forward = clock.Elapsed.TotalSeconds;
        model.Engine.Backward(model.Parameters, grad, ws, steps, 1, 1f);
        double total = clock.Elapsed.TotalSeconds;

        long after = GC.GetTotalMemory(forceFullCollection: true);
        long arrays = WorkspaceBytes(ws);
        double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        GC.KeepAlive(model);
        GC.KeepAlive(batch);
        GC.KeepAlive(grad);
        if (print)
            Console.WriteLine(FormattableString.Invariant(
                $"| {steps:N0} | {arrays / 1e6:F1} | {(after - before) / 1e6:F1} | {peak:F0} | {(after - before) / (double)steps:N0} | {forward:F2} + {total - forward:F2} |"));
    }

    /// <summary>
    /// Floats the workspace stores per time step of one sequence: x (I), target (O), mask (1), per
    /// layer its input U_l, hidden output (H) and, for an LSTM, gates (4H), cell and tanh(cell) (2H);
    /// head projection raw and activated (2P); five weightings per head (5 heads N: similarity, w^c,
    /// w^g, w~, w); key norms (heads); memory M_t (N M) and its row norms (N); [h; r] (H + R M); logits (O);
    /// and the gradients the backward pass keeps for the weight gradients at the end: the layers'
    /// pre-activation gradients (4H for an LSTM, H feed-forward), the head projection's (P) and the logits' (O).
    /// </summary>
    public static long PerStepFloats(NtmConfig c, ParameterLayout layout)
    {
        long h = c.ControllerSize, n = c.MemoryRows, m = c.MemoryWidth;
        bool lstm = c.Controller == ControllerKind.Lstm;
        long f = c.InputSize + c.OutputSize + 1;
        for (int l = 0; l < c.ControllerLayers; l++)
            f += Ntm.Controllers.ControllerShape.InputWidth(c, l) + h + (lstm ? 6 * h : 0) + (lstm ? 4 * h : h);
        f += 2L * layout.HeadOutputSize + 5L * c.Heads * n + c.Heads;
        if (c.Heads > 0) f += n * m + n;
        f += h + (long)c.ReadHeads * m + c.OutputSize;
        f += layout.HeadOutputSize + c.OutputSize;
        return f;
    }

    // Sum of the lengths of every array the workspace holds, in bytes.
    private static long WorkspaceBytes(ShardWorkspace<float> ws)
    {
        long bytes = 0;
        foreach (FieldInfo f in typeof(ShardWorkspace<float>).GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            object? v = f.GetValue(ws);
            if (v is float[] a) bytes += 4L * a.Length;
            else if (v is float[][] aa) bytes += aa.Sum(x => 4L * x.Length);
        }
        return bytes;
    }
}
