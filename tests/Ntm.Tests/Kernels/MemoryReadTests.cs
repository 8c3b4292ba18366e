using Ntm.Memory;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Known values of reading (paper eq. 2): r = sum_i w(i) M(i).</summary>
public sealed class MemoryReadTests
{
    // 4 x 3 memory; the last row has weight 0 in every test and must not leak into the read.
    private static readonly double[] Memory = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 100, 100];

    [Fact]
    public void Read_is_the_weighted_sum_of_rows()
    {
        // 0.5 [1,2,3] + 0.25 [4,5,6] + 0.25 [7,8,9] = [0.5 + 1 + 1.75, 1 + 1.25 + 2, 1.5 + 1.5 + 2.25] = [3.25, 4.25, 5.25]
        var r = new double[3];
        MemoryRead.Forward<double>([0.5, 0.25, 0.25, 0], Memory, r);
        KernelAssert.Close([3.25, 4.25, 5.25], r, 1e-15);
    }

    [Fact]
    public void A_one_hot_weighting_reads_one_row_exactly()
    {
        var r = new double[3] { 9, 9, 9 };   // stale values are overwritten, not added to
        MemoryRead.Forward<double>([0, 1, 0, 0], Memory, r);
        KernelAssert.Close([4, 5, 6], r, 0);
    }

    [Fact]
    public void Backward_has_known_values_and_accumulates()
    {
        // dr = [1, 0, -1]: dw(i) += dr . M(i) = [1 - 3, 4 - 6, 7 - 9, 0] = [-2, -2, -2, 0];
        // dM(i) += w(i) dr: row 0 += 0.5 [1, 0, -1], rows 1-2 += 0.25 [1, 0, -1], row 3 += 0.
        double[] dW = [1, 1, 1, 1];
        var dM = new double[12];
        MemoryRead.Backward<double>(dW, dM, [1, 0, -1], [0.5, 0.25, 0.25, 0], Memory);
        KernelAssert.Close([-1, -1, -1, 1], dW, 0);
        KernelAssert.Close([0.5, 0, -0.5, 0.25, 0, -0.25, 0.25, 0, -0.25, 0, 0, 0], dM, 0);
    }

    [Theory]
    [InlineData(5, 3, 1)]
    [InlineData(4, 9, 2)]
    public void Backward_matches_central_differences(int n, int m, int seed)
    {
        // Bilinear in w and the memory: any point will do; w is a weighting as in the machine.
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("w", FiniteDifference.Weighting(rng, n))
            .Input("memory", FiniteDifference.Uniform(rng, n * m, -1, 1))
            .Check(
                x =>
                {
                    var r = new double[m];
                    MemoryRead.Forward<double>(x["w"], x["memory"], r);
                    return new() { ["r"] = r };
                },
                (x, dy, dx) => MemoryRead.Backward<double>(dx["w"], dx["memory"], dy["r"], x["w"], x["memory"]));
    }
}
