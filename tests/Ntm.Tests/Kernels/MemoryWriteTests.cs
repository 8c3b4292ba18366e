using Ntm.Memory;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// Known values of writing (paper eq. 3-4): M(i) = M_prev(i) * prod_h (1 - w_h(i) e_h) + sum_h w_h(i) a_h.
/// </summary>
public sealed class MemoryWriteTests
{
    // 3 x 2 memory: rows [1, 2], [3, 4], [5, 6].
    private static readonly double[] Prev = [1, 2, 3, 4, 5, 6];

    // Head A: w = [1, 0.5, 0], e = [1, 0.5], a = [10, 20].   Head B: w = [0, 0.5, 1], e = [0.5, 0], a = [-2, 4].
    private static readonly double[] WA = [1, 0.5, 0], EA = [1, 0.5], AA = [10, 20];
    private static readonly double[] WB = [0, 0.5, 1], EB = [0.5, 0], AB = [-2, 4];

    private static double[] Write(params (double[] W, double[] E, double[] A)[] heads)
    {
        var next = new double[Prev.Length];
        MemoryWrite.Forward<double>(Prev, next, heads.SelectMany(h => h.W).ToArray(), heads.SelectMany(h => h.E).ToArray(),
            heads.SelectMany(h => h.A).ToArray(), heads.Length, 3, 2);
        return next;
    }

    [Fact]
    public void One_head_erases_then_adds()
    {
        // row 0: w = 1:   [1, 2] * (1 - [1, 0.5])     = [0, 1]      + 1 [10, 20]   = [10, 21]
        // row 1: w = 0.5: [3, 4] * (1 - 0.5 [1, 0.5]) = [1.5, 3]    + 0.5 [10, 20] = [6.5, 13]
        // row 2: w = 0:   unchanged                                               = [5, 6]
        KernelAssert.Close([10, 21, 6.5, 13, 5, 6], Write((WA, EA, AA)), 1e-15);
    }

    [Fact]
    public void A_zero_erase_only_adds_and_a_zero_weighting_changes_nothing()
    {
        KernelAssert.Close([11, 22, 8, 14, 5, 6], Write((WA, [0, 0], AA)), 1e-15);
        KernelAssert.Close(Prev, Write(([0, 0, 0], EA, AA)), 0);
    }

    [Fact]
    public void Two_heads_multiply_their_erases_and_sum_their_adds()
    {
        // row 0: keep = (1 - 1 [1, 0.5]) (1 - 0)            = [0, 0.5]         -> [0, 1]     + [10, 20]                     = [10, 21]
        // row 1: keep = (1 - 0.5 [1, 0.5]) (1 - 0.5 [0.5, 0]) = [0.5, 0.75] [0.75, 1] = [0.375, 0.75]
        //        [3, 4] * keep = [1.125, 3];  adds 0.5 [10, 20] + 0.5 [-2, 4] = [5, 10] + [-1, 2] = [4, 12]  -> [5.125, 15]
        // row 2: keep = 1 * (1 - 1 [0.5, 0]) = [0.5, 1]     -> [2.5, 6]   + [-2, 4]                     = [0.5, 10]
        // (Erasing and adding head by head would give row 1 = [6.5, 13] * [0.75, 1] + [-1, 2] = [3.875, 15]:
        // not the paper's rule.)
        KernelAssert.Close([10, 21, 5.125, 15, 0.5, 10], Write((WA, EA, AA), (WB, EB, AB)), 1e-15);
    }

    [Fact]
    public void Swapping_two_heads_gives_the_same_memory()
    {
        // Two factors and two terms commute exactly in floating point, so the results are bit-identical.
        Assert.Equal(Write((WA, EA, AA), (WB, EB, AB)), Write((WB, EB, AB), (WA, EA, AA)));
    }

    [Fact]
    public void Any_order_of_three_random_heads_gives_the_same_memory()
    {
        var rng = new Rng(5);
        const int n = 6, m = 4;
        var prev = Enumerable.Range(0, n * m).Select(_ => rng.NextDouble(-1, 1)).ToArray();
        var heads = Enumerable.Range(0, 3).Select(_ => (
            W: Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray(),
            E: Enumerable.Range(0, m).Select(_ => rng.NextDouble()).ToArray(),
            A: Enumerable.Range(0, m).Select(_ => rng.NextDouble(-1, 1)).ToArray())).ToArray();
        double[] Run(int[] order)
        {
            var next = new double[n * m];
            MemoryWrite.Forward<double>(prev, next, order.SelectMany(h => heads[h].W).ToArray(),
                order.SelectMany(h => heads[h].E).ToArray(), order.SelectMany(h => heads[h].A).ToArray(), 3, n, m);
            return next;
        }
        double[] reference = Run([0, 1, 2]);
        foreach (int[] order in new[] { new[] { 0, 2, 1 }, [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] })
            KernelAssert.Close(reference, Run(order), 1e-15);
    }

    [Fact]
    public void One_head_backward_has_known_values()
    {
        // Row 1 only (w = 0.5, prev [3, 4]), dNext = 1 on row 1 col 0 and 2 on row 1 col 1:
        //   dPrev(1) = dNext (1 - w e) = [1 * 0.5, 2 * 0.75] = [0.5, 1.5]
        //   dw(1)    = sum_j dNext_j (a_j - prev_j e_j) = 1 (10 - 3) + 2 (20 - 2) = 43
        //   de       = -dNext prev w = -[1 * 3 * 0.5, 2 * 4 * 0.5] = [-1.5, -4]
        //   da       = dNext w = [0.5, 1]
        var dPrev = new double[6];
        var dW = new double[3];
        var dE = new double[2];
        var dA = new double[2];
        MemoryWrite.Backward<double>(dPrev, dW, dE, dA, [0, 0, 1, 2, 0, 0], Prev, WA, EA, AA, 1, 3, 2);
        KernelAssert.Close([0, 0, 0.5, 1.5, 0, 0], dPrev, 1e-15);
        KernelAssert.Close([0, 43, 0], dW, 1e-15);
        KernelAssert.Close([-1.5, -4], dE, 1e-15);
        KernelAssert.Close([0.5, 1], dA, 1e-15);
    }

    [Fact]
    public void Two_head_backward_with_an_idle_second_head_matches_the_one_head_backward()
    {
        // A second head with w = 0 changes nothing, so the general path must give head A the one-head gradients.
        var rng = new Rng(9);
        double[] dNext = Enumerable.Range(0, 6).Select(_ => rng.NextDouble(-1, 1)).ToArray();
        var d1 = (P: new double[6], W: new double[3], E: new double[2], A: new double[2]);
        MemoryWrite.Backward<double>(d1.P, d1.W, d1.E, d1.A, dNext, Prev, WA, EA, AA, 1, 3, 2);
        var d2 = (P: new double[6], W: new double[6], E: new double[4], A: new double[4]);
        MemoryWrite.Backward<double>(d2.P, d2.W, d2.E, d2.A, dNext, Prev, [.. WA, 0, 0, 0], [.. EA, .. EB], [.. AA, .. AB], 2, 3, 2);
        KernelAssert.Close(d1.P, d2.P, 1e-15);
        KernelAssert.Close(d1.W, d2.W.AsSpan(0, 3), 1e-15);
        KernelAssert.Close(d1.E, d2.E.AsSpan(0, 2), 1e-15);
        KernelAssert.Close(d1.A, d2.A.AsSpan(0, 2), 1e-15);
        KernelAssert.Close([0, 0], d2.E.AsSpan(2, 2), 0);   // an idle head's erase and add get no gradient
        KernelAssert.Close([0, 0], d2.A.AsSpan(2, 2), 0);
    }

    [Theory]
    [InlineData(1, 5, 6, 1)]   // one head, vector strips of 4 doubles plus a scalar tail
    [InlineData(1, 4, 8, 2)]   // one head, vector strips only
    [InlineData(1, 5, 3, 3)]   // one head, narrower than a strip: the scalar loop
    [InlineData(2, 5, 3, 4)]   // several heads: the general path
    [InlineData(3, 4, 5, 5)]
    public void Backward_matches_central_differences(int heads, int n, int m, int seed)
    {
        // A polynomial in every input, so any point will do; as in the machine each head's w is a
        // weighting, its erase in (0, 1) and its add in (-1, 1).
        var rng = new Rng((ulong)seed);
        double[] w = Enumerable.Range(0, heads).SelectMany(_ => FiniteDifference.Weighting(rng, n)).ToArray();
        new FiniteDifference()
            .Input("prev", FiniteDifference.Uniform(rng, n * m, -1, 1))
            .Input("w", w)
            .Input("erase", FiniteDifference.Uniform(rng, heads * m, 0.05, 0.95))
            .Input("add", FiniteDifference.Uniform(rng, heads * m, -1, 1))
            .Check(
                x =>
                {
                    var next = new double[n * m];
                    MemoryWrite.Forward<double>(x["prev"], next, x["w"], x["erase"], x["add"], heads, n, m);
                    return new() { ["next"] = next };
                },
                (x, dy, dx) => MemoryWrite.Backward<double>(dx["prev"], dx["w"], dx["erase"], dx["add"], dy["next"],
                    x["prev"], x["w"], x["erase"], x["add"], heads, n, m));
    }
}
