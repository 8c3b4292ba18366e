using System.Numerics;
using Ntm.Addressing;
using Ntm.Model;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The places where other implementations produce NaN (docs/equations.md, the "Guard" notes under each equation):
/// zero-norm keys and rows under the cosine, zeros under the sharpening power, softmax overflow. The
/// forward must give a finite weighting summing to 1 and the backward finite gradients, in float and double.
/// </summary>
public sealed class NumericalGuardTests
{
    private static readonly double[] Upstream = [0.3, -1.2, 0.7, 2.0];

    /// <summary>Runs content addressing forward and backward and checks both are finite; returns the weights.</summary>
    private static T[] ContentRoundTrip<T>(T[] key, T beta, T[] memory) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = key.Length, n = memory.Length / m;
        var norms = new T[n];
        ContentAddressing.RowNorms<T>(memory, m, norms);
        var sim = new T[n];
        var wc = new T[n];
        T keyNorm = ContentAddressing.Forward<T>(key, beta, memory, norms, sim, wc);
        KernelAssert.Finite<T>(sim, "similarity");
        KernelAssert.Distribution<T>(wc, 1e-6, "wc");

        var dKey = new T[m];
        var dMem = new T[n * m];
        var dWc = new T[n];
        for (int i = 0; i < n; i++) dWc[i] = T.CreateChecked(Upstream[i % Upstream.Length]);
        T dBeta = ContentAddressing.Backward<T>(dKey, dMem, dWc, key, beta, keyNorm, memory, norms, sim, wc, new T[n]);
        Assert.True(T.IsFinite(dBeta), $"dBeta is {dBeta}");
        KernelAssert.Finite<T>(dKey, "dKey");
        KernelAssert.Finite<T>(dMem, "dMemory");
        return wc;
    }

    private static void ContentCases<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        static T[] V(params double[] v) => v.Select(T.CreateChecked).ToArray();
        T beta = T.CreateChecked(5.0);

        // All-zero key: every similarity is 0 / (0 + 1e-8) = 0, so the weighting is uniform.
        T[] wc = ContentRoundTrip(V(0, 0, 0), beta, V(1, 2, 3, 0, 1, 0, -1, 0, 0));
        KernelAssert.Close([1.0 / 3, 1.0 / 3, 1.0 / 3], wc.Select(double.CreateChecked).ToArray(), 1e-6);

        // An all-zero row: its similarity is 0; the other rows still compete normally.
        wc = ContentRoundTrip(V(1, 0, 0), beta, V(0, 0, 0, 1, 0, 0, -1, 0, 0));
        // softmax(5 [0, 1, -1]) = [1, e^5, e^-5] / (1 + e^5 + e^-5)
        double z = 1 + Math.Exp(5) + Math.Exp(-5);
        KernelAssert.Close([1 / z, Math.Exp(5) / z, Math.Exp(-5) / z], wc.Select(double.CreateChecked).ToArray(), 1e-6);

        // All-zero key and all-zero memory.
        wc = ContentRoundTrip(V(0, 0, 0), beta, V(0, 0, 0, 0, 0, 0, 0, 0, 0));
        KernelAssert.Close([1.0 / 3, 1.0 / 3, 1.0 / 3], wc.Select(double.CreateChecked).ToArray(), 1e-6);

        // Memory initialised to the constant 1e-6 (Collier and Beel): |M(i)| = 1e-6 sqrt(4) = 2e-6,
        // so for key [1, 1, 1, 1] (|k| = 2) K = 4e-6 / (4e-6 + 1e-8) = 0.9975 on every row: finite and uniform.
        int n = 8, m = 4;
        var memory = Enumerable.Repeat(T.CreateChecked(1e-6), n * m).ToArray();
        var norms = new T[n];
        ContentAddressing.RowNorms<T>(memory, m, norms);
        var sim = new T[n];
        var w = new T[n];
        ContentAddressing.Forward<T>(V(1, 1, 1, 1), beta, memory, norms, sim, w);
        foreach (T k in sim) Assert.Equal(4e-6 / (4e-6 + 1e-8), double.CreateChecked(k), 1e-5);
        wc = ContentRoundTrip(V(0.3, -0.2, 0.5, 0.1), beta, memory);
        KernelAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), wc.Select(double.CreateChecked).ToArray(), 1e-6);

        // A huge strength on a big key: softmax(1e4 K) must not overflow.
        ContentRoundTrip(V(1e3, -1e3, 1), T.CreateChecked(1e4), V(1, -1, 0, -1, 1, 0, 0, 0, 1));
    }

    [Fact]
    public void Content_addressing_with_zero_keys_zero_rows_and_tiny_memory_is_finite_in_double() => ContentCases<double>();

    [Fact]
    public void Content_addressing_with_zero_keys_zero_rows_and_tiny_memory_is_finite_in_float() => ContentCases<float>();

    [Theory]
    [InlineData(new[] { 0.6, -0.8 }, new[] { 0.0, 0, 0.5, 0.5, -1, 0.2 })]   // zero row 0
    [InlineData(new[] { 0.0, 0 }, new[] { 0.3, 0.1, 0.5, 0.5, -1, 0.2 })]    // zero key
    public void Gradient_at_a_zero_key_or_row_matches_finite_differences(double[] key, double[] memory)
    {
        // Near a zero vector the cosine is u.v / (|u| |v| + 1e-8) ~ u.v / 1e-8: differentiable, with gradient
        // (other vector) / 1e-8 there, of order 1e7 here: large but finite. Check the backward against central
        // differences on the loss L = sum_i c_i wc_i, for every entry of the key and of the memory. Entries of a
        // zero vector get a step (1e-14) far below the 1e-8 epsilon, where L is linear to 1e-6 relative and
        // rounding costs 1e-16 / 1e-14 * |L| / |dL| ~ 1e-9; the others the usual 1e-6 (truncation ~1e-12).
        const double beta = 2;
        double[] c = Upstream.AsSpan(0, 3).ToArray();
        double Loss(double[] k, double[] mem)
        {
            var norms = new double[3];
            ContentAddressing.RowNorms<double>(mem, 2, norms);
            var wc = new double[3];
            ContentAddressing.Forward<double>(k, beta, mem, norms, new double[3], wc);
            return c[0] * wc[0] + c[1] * wc[1] + c[2] * wc[2];
        }
        var n0 = new double[3];
        ContentAddressing.RowNorms<double>(memory, 2, n0);
        var sim = new double[3];
        var w0 = new double[3];
        double keyNorm = ContentAddressing.Forward<double>(key, beta, memory, n0, sim, w0);
        var dKey = new double[2];
        var dMem = new double[6];
        ContentAddressing.Backward<double>(dKey, dMem, c, key, beta, keyNorm, memory, n0, sim, w0, new double[6]);
        double largest = 0;
        void Check(string what, double analytic, bool zeroVector, Func<double, double> lossAt)
        {
            double h = zeroVector ? 1e-14 : 1e-6;
            double numeric = (lossAt(h) - lossAt(-h)) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic) <= 1e-4 * Math.Abs(numeric) + 1e-7,
                $"{what}: analytic {analytic:G6}, numeric {numeric:G6}");
            largest = Math.Max(largest, Math.Abs(analytic));
        }
        for (int j = 0; j < 2; j++)
            Check($"dKey[{j}]", dKey[j], keyNorm == 0, d => { var k = (double[])key.Clone(); k[j] += d; return Loss(k, memory); });
        for (int j = 0; j < 6; j++)
            Check($"dMemory[{j}]", dMem[j], n0[j / 2] == 0, d => { var m = (double[])memory.Clone(); m[j] += d; return Loss(key, m); });
        Assert.True(largest > 1e6, "the gradient at a zero vector is of order |dK| / 1e-8");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1e-6f)]
    public void The_float_engine_on_zero_or_tiny_constant_memory_gives_finite_logits_and_gradients(float memoryValue)
    {
        var config = new NtmConfig
        {
            InputSize = 3, OutputSize = 2, ControllerSize = 6, MemoryRows = 8, MemoryWidth = 4, ReadHeads = 2, WriteHeads = 2,
            MemoryInitValue = memoryValue,
        };
        var layout = new ParameterLayout(config);
        var rng = new Rng(3);
        double[] prm = Enumerable.Range(0, layout.Count).Select(_ => rng.NextDouble(-1, 1)).ToArray();
        const int steps = 6, batch = 2;
        double[] x = Enumerable.Range(0, steps * batch * 3).Select(_ => rng.NextBit() ? 1.0 : 0.0).ToArray();
        double[] y = Enumerable.Range(0, steps * batch * 2).Select(_ => rng.NextBit() ? 1.0 : 0.0).ToArray();
        var (logits, grad) = EngineRun.Run<float>(config, prm, x, y, Enumerable.Repeat(1.0, steps * batch).ToArray(), steps, batch);
        KernelAssert.Finite<double>(logits, "logits");
        KernelAssert.Finite<double>(grad, "gradient");
        Assert.Contains(grad, g => g != 0);
    }

    private static void SharpenCase<T>(double[] wTilde, double gamma) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] wt = wTilde.Select(T.CreateChecked).ToArray();
        T g = T.CreateChecked(gamma);
        var w = new T[wt.Length];
        Sharpen.Forward<T>(wt, g, w);
        KernelAssert.Distribution<T>(w, 1e-6, "w");
        var dWt = new T[wt.Length];
        var dW = wt.Select((_, i) => T.CreateChecked(Upstream[i % Upstream.Length])).ToArray();
        T dGamma = Sharpen.Backward<T>(dWt, dW, wt, g, w, new T[2 * wt.Length]);
        Assert.True(T.IsFinite(dGamma), $"dGamma is {dGamma}");
        KernelAssert.Finite<T>(dWt, "dWTilde");
    }

    [Theory]
    [InlineData(new[] { 0.6, 0.4, 0, 0 }, 50)]
    [InlineData(new[] { 0, 1.0, 0, 0 }, 50)]
    [InlineData(new[] { 0.5, 0.5, 0, 0 }, 50)]
    [InlineData(new[] { 0.25, 0.25, 0.25, 0.25 }, 50)]
    [InlineData(new[] { 1e-30, 1.0, 0, 1e-300 }, 50)]
    [InlineData(new[] { 0.6, 0.4, 0, 0 }, 1)]
    [InlineData(new[] { 0.6, 0.4, 0, 0 }, 1000)]
    public void Sharpening_zeros_with_a_large_gamma_is_finite(double[] wTilde, double gamma)
    {
        SharpenCase<double>(wTilde, gamma);
        SharpenCase<float>(wTilde, gamma);
    }

    [Fact]
    public void Sharpening_zeros_with_gamma_50_keeps_zeros_at_zero_and_splits_ties()
    {
        // [0.5, 0.5, 0, 0]^50: the zeros give (1e-16)^50 / (2 * 0.5^50) = 0 (underflow), the ties 0.5 each.
        var w = new float[4];
        Sharpen.Forward<float>([0.5f, 0.5f, 0, 0], 50f, w);
        KernelAssert.Close([0.5, 0.5, 0, 0], w, 1e-6);
        // [0.6, 0.4]^50: (2/3)^50 = 1.6e-9, so w = [1 - 1.6e-9, 1.6e-9, 0, 0].
        Sharpen.Forward<float>([0.6f, 0.4f, 0, 0], 50f, w);
        KernelAssert.Close([1, Math.Pow(2.0 / 3, 50), 0, 0], w, 1e-9);
    }

    [Fact]
    public void Shift_and_interpolation_backward_are_finite_for_extreme_but_valid_inputs()
    {
        // The linear steps cannot create NaN from finite inputs; check the one-hot and zero cases anyway.
        float[] wg = [1, 0, 0, 0, 0];
        float[] s = [0, 0, 1];
        var wt = new float[5];
        Shift.Forward<float>(wg, s, wt);
        KernelAssert.Distribution<float>(wt, 0, "w~");
        var dWg = new float[5];
        var dS = new float[3];
        Shift.Backward<float>(dWg, dS, [1e30f, -1e30f, 0, 0, 1], wg, s);
        KernelAssert.Finite<float>(dWg, "dWg");
        KernelAssert.Finite<float>(dS, "dS");
        var dWc = new float[5];
        var dWPrev = new float[5];
        float dg = Interpolation.Backward<float>(dWc, dWPrev, [1e30f, -1e30f, 0, 0, 1], wg, [0, 0, 0, 0, 1], 1f);
        Assert.True(float.IsFinite(dg));
        KernelAssert.Finite<float>(dWc, "dWc");
        KernelAssert.Finite<float>(dWPrev, "dWPrev");
    }

    [Fact]
    public void Full_addressing_chain_on_constant_memory_with_a_zero_key_is_finite()
    {
        // The first step of a machine with constant 1e-6 memory, a zero key and a focused previous
        // weighting: content -> interpolation -> shift -> sharpening (gamma 50), then all backward, in float.
        const int n = 6, m = 4;
        var memory = Enumerable.Repeat(1e-6f, n * m).ToArray();
        var norms = new float[n];
        ContentAddressing.RowNorms<float>(memory, m, norms);
        float[] key = new float[m];
        float[] wPrev = [1, 0, 0, 0, 0, 0];
        float[] s = [0, 0, 1];
        const float beta = 3, g = 0.5f, gamma = 50;
        float[] sim = new float[n], wc = new float[n], wg = new float[n], wt = new float[n], w = new float[n];
        float keyNorm = ContentAddressing.Forward<float>(key, beta, memory, norms, sim, wc);
        Interpolation.Forward<float>(wc, wPrev, g, wg);
        Shift.Forward<float>(wg, s, wt);
        Sharpen.Forward<float>(wt, gamma, w);
        KernelAssert.Distribution<float>(w, 1e-6, "w");
        // wg = 0.5/6 everywhere plus 0.5 on row 0; shifted +1 -> the peak moves to row 1, which sharpening keeps.
        Assert.True(w[1] > 0.999f, $"w = [{string.Join(", ", w)}]");

        float[] dW = [1, -2, 0.5f, 0, 3, -1];
        float[] dWt = new float[n], dWg = new float[n], dS = new float[3], dWc = new float[n], dWPrev = new float[n];
        float[] dKey = new float[m], dMem = new float[n * m];
        float dGamma = Sharpen.Backward<float>(dWt, dW, wt, gamma, w, new float[2 * n]);
        Shift.Backward<float>(dWg, dS, dWt, wg, s);
        float dg = Interpolation.Backward<float>(dWc, dWPrev, dWg, wc, wPrev, g);
        float dBeta = ContentAddressing.Backward<float>(dKey, dMem, dWc, key, beta, keyNorm, memory, norms, sim, wc, new float[n]);
        foreach (float x in new[] { dGamma, dg, dBeta }) Assert.True(float.IsFinite(x));
        foreach (var (what, d) in new[] { ("dWt", dWt), ("dWg", dWg), ("dS", dS), ("dWc", dWc), ("dWPrev", dWPrev), ("dKey", dKey), ("dMem", dMem) })
            KernelAssert.Finite<float>(d, what);
    }
}
