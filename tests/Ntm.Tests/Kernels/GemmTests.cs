using CsCheck;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The matrix-product kernels on every path (512-bit, 256-bit and scalar, whatever the processor
/// accelerates: the vector types fall back to software where it does not) against textbook loops
/// in double, over shapes that hit every tile edge: rows and batches that are and are not
/// multiples of the 4-wide tiles, column counts below one vector, with and without a partial last
/// vector and with several 4-vector groups, strides wider than the data, and weight-gradient row
/// counts across the cache block. Accumulating kernels start from non-zero gradients.
/// </summary>
public sealed class GemmTests
{
    // The paths by name (GemmPath is internal, so the theories take its name).
    public static TheoryData<string> Paths => [nameof(GemmPath.Scalar), nameof(GemmPath.Vector256), nameof(GemmPath.Vector512)];

    private static readonly Gen<(int Rows, int Cols, int Batch, int Pad, int Seed)> Shapes =
        Gen.Select(Gen.Int[1, 13], Gen.Int[1, 150], Gen.Int[1, 11], Gen.Int[0, 3], Gen.Int[0, 1_000_000]);

    private static double[] Values(Random rng, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextDouble() * 2 - 1;
        return a;
    }

    private static float[] Single(double[] a) => Array.ConvertAll(a, v => (float)v);

    // Float products of values in [-1, 1] summed over up to 150 terms, against double: a few 1e-5 at most.
    private const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(Paths))]
    public void Forward_matches_the_textbook_loop(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            int xs = s.Cols + s.Pad, ys = s.Rows + s.Pad;
            double[] w = Values(rng, s.Rows * s.Cols), bias = Values(rng, s.Rows), x = Values(rng, s.Batch * xs);
            var expected = new double[s.Batch * ys];
            Array.Fill(expected, 42);   // padding is left alone
            for (int b = 0; b < s.Batch; b++)
                for (int r = 0; r < s.Rows; r++)
                {
                    double sum = bias[r];
                    for (int c = 0; c < s.Cols; c++) sum += w[r * s.Cols + c] * x[b * xs + c];
                    expected[b * ys + r] = sum;
                }
            var y = new float[s.Batch * ys];
            Array.Fill(y, 42f);
            Gemm.Forward(path, Single(w), Single(bias), s.Rows, s.Cols, Single(x), xs, y, ys, s.Batch);
            KernelAssert.Close(expected, y, Tolerance);
        }, iter: 300);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Input_gradient_accumulates_the_textbook_loop(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        Shapes.Sample(s =>
        {
            var rng = new Random(s.Seed);
            int xs = s.Cols + s.Pad, ys = s.Rows + s.Pad;
            double[] w = Values(rng, s.Rows * s.Cols), dy = Values(rng, s.Batch * ys), dx0 = Values(rng, s.Batch * xs);
            double[] expected = (double[])dx0.Clone();
            for (int b = 0; b < s.Batch; b++)
                for (int c = 0; c < s.Cols; c++)
                {
                    double sum = 0;
                    for (int r = 0; r < s.Rows; r++) sum += w[r * s.Cols + c] * dy[b * ys + r];
                    expected[b * xs + c] += sum;
                }
            float[] dx = Single(dx0);
            Gemm.InputGradient(path, dx, xs, Single(w), s.Rows, s.Cols, Single(dy), ys, s.Batch);
            KernelAssert.Close(expected, dx, Tolerance);
        }, iter: 300);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Weight_gradient_accumulates_the_textbook_loop(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        Gen.Select(Gen.Int[1, 13], Gen.Int[1, 150], Gen.Int[1, 300], Gen.Int[0, 3], Gen.Int[0, 1_000_000]).Sample(s =>
        {
            var (rows, cols, count, pad, seed) = s;
            var rng = new Random(seed);
            int xs = cols + pad, ys = rows + pad;
            double[] x = Values(rng, count * xs), dy = Values(rng, count * ys), dw0 = Values(rng, rows * cols);
            double[] expected = (double[])dw0.Clone();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    double sum = 0;
                    for (int n = 0; n < count; n++) sum += dy[n * ys + r] * x[n * xs + c];
                    expected[r * cols + c] += sum;
                }
            float[] dw = Single(dw0);
            Gemm.WeightGradient(path, dw, rows, cols, Single(x), xs, Single(dy), ys, count);
            KernelAssert.Close(expected, dw, 1e-3);   // up to 300 terms
        }, iter: 60);
    }

    [Fact]
    public void Weight_gradient_is_one_chain_per_entry_fused_below_the_last_multiple_of_8()
    {
        // The order Linear.WeightGradient has always used (so batch-1 training keeps its numbers):
        // dW(r, c) = fma(dY(n, r), X(n, c), dW(r, c)) for n in order for c below 8 floor(cols / 8),
        // dW(r, c) + dY(n, r) X(n, c) rounded twice above it.
        foreach (var (rows, cols, count) in new[] { (400, 129, 42), (92, 100, 37), (8, 120, 300), (13, 31, 5), (5, 7, 3) })
        {
            var rng = new Random(rows * 1000 + cols);
            float[] x = Single(Values(rng, count * cols)), dy = Single(Values(rng, count * rows)), dw0 = Single(Values(rng, rows * cols));
            float[] expected = Chains(dw0, x, dy, rows, cols, count, _ => cols - cols % 8);
            foreach (GemmPath path in new[] { GemmPath.Vector256, GemmPath.Vector512 })
            {
                float[] dw = (float[])dw0.Clone();
                Gemm.WeightGradient(path, dw, rows, cols, x, cols, dy, rows, count);
                Assert.Equal(expected, dw);
            }
            float[] viaLinear = (float[])dw0.Clone();
            var dbias = new float[rows];
            Linear.WeightGradient<float>(viaLinear, dbias, rows, cols, x, cols, dy, rows, count);
            // Linear keeps its own loop for the rows past the last multiple of 4: fused up to the last multiple of 4 there.
            Assert.Equal(Chains(dw0, x, dy, rows, cols, count, r => r < (rows & ~3) ? cols - cols % 8 : cols - cols % 4), viaLinear);
        }
    }

    private static float[] Chains(float[] dw0, float[] x, float[] dy, int rows, int cols, int count, Func<int, int> fusedBelow)
    {
        float[] expected = (float[])dw0.Clone();
        for (int r = 0; r < rows; r++)
        {
            int fused = fusedBelow(r);
            for (int c = 0; c < cols; c++)
            {
                float a = expected[r * cols + c];
                for (int n = 0; n < count; n++)
                    a = c < fused ? MathF.FusedMultiplyAdd(dy[n * rows + r], x[n * cols + c], a) : a + dy[n * rows + r] * x[n * cols + c];
                expected[r * cols + c] = a;
            }
        }
        return expected;
    }

    [Fact]
    public void Linear_uses_the_same_numbers_for_a_batch_whatever_the_path_was_asked()
    {
        // Linear's float path for several sequences is Gemm on the best path: same results bit for bit.
        var rng = new Random(7);
        const int rows = 400, cols = 129, batch = 8;
        float[] w = Single(Values(rng, rows * cols)), bias = Single(Values(rng, rows)), x = Single(Values(rng, batch * cols));
        float[] viaLinear = new float[batch * rows], viaGemm = new float[batch * rows];
        Linear.Forward<float>(w, bias, rows, cols, x, cols, viaLinear, rows, batch);
        Gemm.Forward(Gemm.Best, w, bias, rows, cols, x, cols, viaGemm, rows, batch);
        Assert.Equal(viaGemm, viaLinear);
        float[] dy = Single(Values(rng, batch * rows)), dxLinear = new float[batch * cols], dxGemm = new float[batch * cols];
        Linear.InputGradient<float>(dxLinear, cols, w, rows, cols, dy, rows, batch);
        Gemm.InputGradient(Gemm.Best, dxGemm, cols, w, rows, cols, dy, rows, batch);
        Assert.Equal(dxGemm, dxLinear);
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused()
    {
        float[] w = new float[12], bias = new float[3], x = new float[8], y = new float[6];
        Assert.Throws<ArgumentException>(() => Gemm.Forward(GemmPath.Vector256, w, bias, 3, 4, x, 4, y, 3, 3));   // x holds 2 sequences
        Assert.Throws<ArgumentException>(() => Gemm.Forward(GemmPath.Vector256, w, bias, 3, 4, x, 3, y, 3, 2));   // stride below cols
        Assert.Throws<ArgumentException>(() => Gemm.InputGradient(GemmPath.Vector256, x, 4, w, 3, 4, y, 3, 3));
        Assert.Throws<ArgumentException>(() => Gemm.WeightGradient(GemmPath.Vector256, w, 4, 4, x, 4, y, 3, 2));   // dW too short
    }
}
