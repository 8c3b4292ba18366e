using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Known values of the batched affine map y_b = W x_b + bias and its backward pass.</summary>
public sealed class LinearTests
{
    // W = [[1, 2, 3], [4, 5, 6]], bias = [0.5, -1].
    private static readonly double[] W = [1, 2, 3, 4, 5, 6];
    private static readonly double[] Bias = [0.5, -1];
    // Two inputs with stride 4; the 4th entry of each row is padding and must be ignored.
    private static readonly double[] X = [1, 0, -1, 1000, 2, 1, 0, 1000];

    [Fact]
    public void Forward_computes_w_x_plus_bias_for_every_sequence()
    {
        // y0 = [1 - 3 + 0.5, 4 - 6 - 1] = [-1.5, -3];  y1 = [2 + 2 + 0.5, 8 + 5 - 1] = [4.5, 12]
        // Output stride 3: the third entry of each output row is not written.
        double[] y = [7, 7, 7, 7, 7, 7];
        Linear.Forward<double>(W, Bias, 2, 3, X, 4, y, 3, 2);
        KernelAssert.Close([-1.5, -3, 7, 4.5, 12, 7], y, 0);
    }

    [Fact]
    public void Float_forward_matches()
    {
        var y = new float[4];
        Linear.Forward<float>([1, 2, 3, 4, 5, 6], [0.5f, -1], 2, 3, [1, 0, -1, 1000, 2, 1, 0, 1000], 4, y, 2, 2);
        KernelAssert.Close([-1.5, -3, 4.5, 12], y, 0);
    }

    [Fact]
    public void Backward_has_known_values_and_accumulates()
    {
        // dy0 = [1, 0], dy1 = [0, 2] (stride 2):
        //   dW += dy^T X: row 0 = 1 x0 = [1, 0, -1]; row 1 = 2 x1 = [4, 2, 0]     (on top of 1 everywhere)
        //   dbias += [1, 2]
        //   dx0 += W^T dy0 = [1, 2, 3];  dx1 += W^T dy1 = 2 [4, 5, 6] = [8, 10, 12]  (stride 4, padding untouched)
        double[] dW = [1, 1, 1, 1, 1, 1];
        double[] dBias = [1, 1];
        var dX = new double[8];
        Linear.Backward<double>(dW, dBias, dX, 4, W, 2, 3, X, 4, [1, 0, 0, 2], 2, 2);
        KernelAssert.Close([2, 1, 0, 5, 3, 1], dW, 0);
        KernelAssert.Close([2, 3], dBias, 0);
        KernelAssert.Close([1, 2, 3, 0, 8, 10, 12, 0], dX, 0);
    }

    [Fact]
    public void Backward_without_an_input_gradient_still_fills_the_weight_gradients()
    {
        var dW = new double[6];
        var dBias = new double[2];
        Linear.Backward<double>(dW, dBias, Span<double>.Empty, 0, W, 2, 3, X, 4, [1, 0, 0, 2], 2, 2);
        KernelAssert.Close([1, 0, -1, 4, 2, 0], dW, 0);
        KernelAssert.Close([1, 2], dBias, 0);
    }

    // Shapes that reach every loop of the blocked kernels: 4-row tiles and leftover rows, 2-sequence
    // and 1-sequence forward tiles, 4-sequence and 1-sequence input-gradient blocks, two-strip,
    // one-strip and scalar column loops (a strip is 4 doubles); strides wider than the rows.
    public static TheoryData<int, int, int, int, int> Shapes() => new()
    {
        // rows, cols, batch, x stride, y stride
        { 6, 21, 5, 23, 7 },
        { 4, 8, 4, 8, 4 },
        { 3, 3, 1, 3, 3 },
        { 9, 37, 6, 38, 10 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_matches_central_differences(int rows, int cols, int batch, int xStride, int yStride)
    {
        // Affine in every input: any point will do. The padding of x (entries past cols in each row)
        // is an input too: it must get gradient 0, and the padding of dY must not be read (the output
        // padding keeps the value it had, so its random upstream gradient adds nothing to L).
        var rng = new Rng((ulong)(rows * 100 + batch));
        new FiniteDifference()
            .Input("weight", FiniteDifference.Uniform(rng, rows * cols, -1, 1))
            .Input("bias", FiniteDifference.Uniform(rng, rows, -1, 1))
            .Input("x", FiniteDifference.Uniform(rng, batch * xStride, -1, 1))
            .Check(
                x => new() { ["y"] = Forward(x, rows, cols, batch, xStride, yStride) },
                (x, dy, dx) => Linear.Backward<double>(dx["weight"], dx["bias"], dx["x"], xStride, x["weight"], rows, cols,
                    x["x"], xStride, dy["y"], yStride, batch));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Input_and_weight_gradients_separately_match_central_differences(int rows, int cols, int batch, int xStride, int yStride)
    {
        // The controllers call the two halves of Backward apart: InputGradient every step, WeightGradient once.
        var rng = new Rng((ulong)(rows * 100 + batch + 7));
        new FiniteDifference()
            .Input("weight", FiniteDifference.Uniform(rng, rows * cols, -1, 1))
            .Input("bias", FiniteDifference.Uniform(rng, rows, -1, 1))
            .Input("x", FiniteDifference.Uniform(rng, batch * xStride, -1, 1))
            .Check(
                x => new() { ["y"] = Forward(x, rows, cols, batch, xStride, yStride) },
                (x, dy, dx) =>
                {
                    Linear.InputGradient<double>(dx["x"], xStride, x["weight"], rows, cols, dy["y"], yStride, batch);
                    Linear.WeightGradient<double>(dx["weight"], dx["bias"], rows, cols, x["x"], xStride, dy["y"], yStride, batch);
                });
    }

    private static double[] Forward(IReadOnlyDictionary<string, double[]> x, int rows, int cols, int batch, int xStride, int yStride)
    {
        var y = new double[batch * yStride];
        Linear.Forward<double>(x["weight"], x["bias"], rows, cols, x["x"], xStride, y, yStride, batch);
        return y;
    }
}
