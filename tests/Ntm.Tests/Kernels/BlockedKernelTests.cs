using CsCheck;
using Ntm.Memory;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The register-blocked and vectorised loops against plain textbook loops, over every shape class
/// the blocking distinguishes: row counts that are and are not multiples of the 4-row tile, column
/// counts with and without a vector tail, odd and even batches, and strides wider than the data.
/// Run in double (the precision the gradient checks use) and in float (the precision training uses).
/// </summary>
public sealed class BlockedKernelTests
{
    private static double[] Values(Random rng, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextDouble() * 2 - 1;
        return a;
    }

    private static float[] Single(double[] a) => Array.ConvertAll(a, v => (float)v);

    private static readonly Gen<(int Rows, int Cols, int Batch, int Pad, int Seed)> Shapes =
        Gen.Select(Gen.Int[1, 13], Gen.Int[1, 41], Gen.Int[1, 9], Gen.Int[0, 3], Gen.Int[0, 1_000_000]);

    [Fact]
    public void Linear_forward_matches_the_textbook_loop_for_every_shape()
    {
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            int xs = s.Cols + s.Pad, ys = s.Rows + s.Pad;
            double[] w = Values(rng, s.Rows * s.Cols), bias = Values(rng, s.Rows), x = Values(rng, s.Batch * xs);
            var expected = new double[s.Batch * ys];
            for (int b = 0; b < s.Batch; b++)
                for (int r = 0; r < s.Rows; r++)
                {
                    double sum = bias[r];
                    for (int c = 0; c < s.Cols; c++) sum += w[r * s.Cols + c] * x[b * xs + c];
                    expected[b * ys + r] = sum;
                }
            for (int b = 0; b < s.Batch; b++)
                for (int r = s.Rows; r < ys; r++) expected[b * ys + r] = 42;   // padding is left alone

            var y = new double[s.Batch * ys];
            Array.Fill(y, 42);
            Linear.Forward<double>(w, bias, s.Rows, s.Cols, x, xs, y, ys, s.Batch);
            KernelAssert.Close(expected, y, 1e-12);

            var yf = new float[s.Batch * ys];
            Array.Fill(yf, 42f);
            Linear.Forward<float>(Single(w), Single(bias), s.Rows, s.Cols, Single(x), xs, yf, ys, s.Batch);
            KernelAssert.Close(expected, yf, 1e-4);
        }, iter: 400);
    }

    [Fact]
    public void Linear_backward_matches_the_textbook_loop_for_every_shape()
    {
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            int xs = s.Cols + s.Pad, ys = s.Rows + s.Pad;
            double[] w = Values(rng, s.Rows * s.Cols), x = Values(rng, s.Batch * xs), dy = Values(rng, s.Batch * ys);
            double[] dw0 = Values(rng, s.Rows * s.Cols), db0 = Values(rng, s.Rows), dx0 = Values(rng, s.Batch * xs);
            double[] dw = (double[])dw0.Clone(), db = (double[])db0.Clone(), dx = (double[])dx0.Clone();
            for (int b = 0; b < s.Batch; b++)
                for (int r = 0; r < s.Rows; r++)
                {
                    double g = dy[b * ys + r];
                    db[r] += g;
                    for (int c = 0; c < s.Cols; c++)
                    {
                        dw[r * s.Cols + c] += g * x[b * xs + c];
                        dx[b * xs + c] += g * w[r * s.Cols + c];
                    }
                }

            double[] gw = (double[])dw0.Clone(), gb = (double[])db0.Clone(), gx = (double[])dx0.Clone();
            Linear.Backward<double>(gw, gb, gx, xs, w, s.Rows, s.Cols, x, xs, dy, ys, s.Batch);
            KernelAssert.Close(dw, gw, 1e-12);
            KernelAssert.Close(db, gb, 1e-12);
            KernelAssert.Close(dx, gx, 1e-12);   // includes the stride padding, which must not change

            float[] fw = Single(dw0), fb = Single(db0), fx = Single(dx0);
            Linear.Backward<float>(fw, fb, fx, xs, Single(w), s.Rows, s.Cols, Single(x), xs, Single(dy), ys, s.Batch);
            KernelAssert.Close(dw, fw, 1e-4);
            KernelAssert.Close(db, fb, 1e-4);
            KernelAssert.Close(dx, fx, 1e-4);
        }, iter: 400);
    }

    [Fact]
    public void Short_vector_dot_and_axpy_match_the_textbook_loop_for_every_length()
    {
        var rng = new Random(3);
        for (int n = 0; n <= 37; n++)
        {
            double[] a = Values(rng, n), b = Values(rng, n), y = Values(rng, n);
            double dot = 0;
            for (int i = 0; i < n; i++) dot += a[i] * b[i];
            Assert.True(Math.Abs(dot - Simd.Dot<double>(a, b)) <= 1e-12, $"dot, length {n}");
            Assert.True(Math.Abs(dot - Simd.Dot<float>(Single(a), Single(b))) <= 1e-5, $"float dot, length {n}");

            var expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = y[i] + 0.7 * a[i];
            var got = (double[])y.Clone();
            Simd.Axpy(0.7, a, got);
            KernelAssert.Close(expected, got, 1e-12);
            var gotF = Single(y);
            Simd.Axpy(0.7f, Single(a), gotF);
            KernelAssert.Close(expected, gotF, 1e-6);
        }
    }

    [Fact]
    public void One_head_memory_write_matches_the_textbook_loop_for_every_width()
    {
        var rng = new Random(4);
        foreach (int width in new[] { 1, 3, 4, 7, 8, 9, 16, 20, 23, 33 })
        {
            const int rows = 6;
            double[] prev = Values(rng, rows * width), w = Values(rng, rows), e = Values(rng, width), a = Values(rng, width);
            double[] dNext = Values(rng, rows * width);
            double[] fwd = new double[rows * width], dPrev = new double[rows * width], dW = new double[rows], dE = new double[width], dA = new double[width];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < width; j++)
                {
                    int k = i * width + j;
                    fwd[k] = prev[k] * (1 - w[i] * e[j]) + w[i] * a[j];
                    double g = dNext[k];
                    dPrev[k] += g * (1 - w[i] * e[j]);
                    dW[i] += g * (a[j] - prev[k] * e[j]);
                    dE[j] -= g * prev[k] * w[i];
                    dA[j] += g * w[i];
                }

            var next = new double[rows * width];
            MemoryWrite.Forward<double>(prev, next, w, e, a, 1, rows, width);
            KernelAssert.Close(fwd, next, 1e-12);
            double[] gp = new double[rows * width], gw = new double[rows], ge = new double[width], ga = new double[width];
            MemoryWrite.Backward<double>(gp, gw, ge, ga, dNext, prev, w, e, a, 1, rows, width);
            KernelAssert.Close(dPrev, gp, 1e-12);
            KernelAssert.Close(dW, gw, 1e-12);
            KernelAssert.Close(dE, ge, 1e-12);
            KernelAssert.Close(dA, ga, 1e-12);

            var nextF = new float[rows * width];
            MemoryWrite.Forward<float>(Single(prev), nextF, Single(w), Single(e), Single(a), 1, rows, width);
            KernelAssert.Close(fwd, nextF, 1e-5);
            float[] fp = new float[rows * width], fw = new float[rows], fe = new float[width], fa = new float[width];
            MemoryWrite.Backward<float>(fp, fw, fe, fa, Single(dNext), Single(prev), Single(w), Single(e), Single(a), 1, rows, width);
            KernelAssert.Close(dPrev, fp, 1e-5);
            KernelAssert.Close(dW, fw, 1e-4);
            KernelAssert.Close(dE, fe, 1e-4);
            KernelAssert.Close(dA, fa, 1e-4);
        }
    }
}
