using Ntm.Addressing;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// Known values of the circular shift (paper eq. 8): w~(i) = sum_j w^g(j) s(i - j mod N), with
/// entry j of s the shift j - S.
/// </summary>
public sealed class ShiftTests
{
    private static double[] OneHot(int n, int at)
    {
        var w = new double[n];
        w[at] = 1;
        return w;
    }

    private static double[] Run(double[] wg, double[] s)
    {
        var wt = new double[wg.Length];
        Shift.Forward<double>(wg, s, wt);
        return wt;
    }

    [Fact]
    public void Shift_plus_one_moves_the_weight_forward_one_row()
        // s = [0, 0, 1] is all on shift +1: row 1 -> row 2.
        => KernelAssert.Close(OneHot(5, 2), Run(OneHot(5, 1), [0, 0, 1]), 0);

    [Fact]
    public void Shift_minus_one_moves_the_weight_back_one_row()
        // s = [1, 0, 0] is all on shift -1: row 1 -> row 0.
        => KernelAssert.Close(OneHot(5, 0), Run(OneHot(5, 1), [1, 0, 0]), 0);

    [Fact]
    public void Shift_zero_is_the_identity()
        => KernelAssert.Close([0.1, 0.2, 0.3, 0.4, 0], Run([0.1, 0.2, 0.3, 0.4, 0], [0, 1, 0]), 0);

    [Fact]
    public void Shifts_wrap_around_at_both_ends()
    {
        // +1 from the last row (4) lands on row 0; -1 from row 0 lands on the last row.
        KernelAssert.Close(OneHot(5, 0), Run(OneHot(5, 4), [0, 0, 1]), 0);
        KernelAssert.Close(OneHot(5, 4), Run(OneHot(5, 0), [1, 0, 0]), 0);
    }

    [Fact]
    public void Half_back_half_stay_splits_the_weight()
    {
        // s = [0.5, 0.5, 0]: half shifted by -1, half kept; row 2 -> 0.5 on row 1 and 0.5 on row 2.
        KernelAssert.Close([0, 0.5, 0.5, 0, 0], Run(OneHot(5, 2), [0.5, 0.5, 0]), 0);
    }

    [Fact]
    public void A_spread_weighting_convolves_with_the_shift_distribution()
    {
        // wg = [0.1, 0.2, 0.3, 0.4, 0], s = [0.2, 0.5, 0.3] for shifts -1, 0, +1:
        // w~(i) = 0.2 wg(i + 1) + 0.5 wg(i) + 0.3 wg(i - 1), indices mod 5
        //   i=0: 0.2*0.2 + 0.5*0.1 + 0.3*0   = 0.04 + 0.05        = 0.09
        //   i=1: 0.2*0.3 + 0.5*0.2 + 0.3*0.1 = 0.06 + 0.10 + 0.03 = 0.19
        //   i=2: 0.2*0.4 + 0.5*0.3 + 0.3*0.2 = 0.08 + 0.15 + 0.06 = 0.29
        //   i=3: 0.2*0   + 0.5*0.4 + 0.3*0.3 = 0.20 + 0.09        = 0.29
        //   i=4: 0.2*0.1 + 0.5*0   + 0.3*0.4 = 0.02 + 0.12        = 0.14   (sum 1)
        double[] wt = Run([0.1, 0.2, 0.3, 0.4, 0], [0.2, 0.5, 0.3]);
        KernelAssert.Close([0.09, 0.19, 0.29, 0.29, 0.14], wt, 1e-15);
        KernelAssert.Distribution<double>(wt, 1e-15, "w~");
    }

    [Fact]
    public void Shifts_wider_than_memory_wrap_and_add_up()
    {
        // N = 3, S = 2: s = [0.1, 0.2, 0.3, 0.15, 0.25] for shifts -2, -1, 0, +1, +2, from row 0:
        //   -2 = +1 mod 3 -> row 1: 0.1;  -1 -> row 2: 0.2;  0 -> row 0: 0.3;  +1 -> row 1: 0.15;  +2 = -1 -> row 2: 0.25
        //   w~ = [0.3, 0.1 + 0.15, 0.2 + 0.25] = [0.3, 0.25, 0.45]
        KernelAssert.Close([0.3, 0.25, 0.45], Run(OneHot(3, 0), [0.1, 0.2, 0.3, 0.15, 0.25]), 1e-15);
        // N = 2, S = 1: shifts -1 and +1 both land on the other row: [1, 0] -> [0.5, 0.25 + 0.25].
        KernelAssert.Close([0.5, 0.5], Run([1, 0], [0.25, 0.5, 0.25]), 0);
        // N = 1: every shift lands on the only row.
        KernelAssert.Close([1], Run([1], [0.2, 0.3, 0.5]), 1e-15);
    }

    [Fact]
    public void Backward_of_a_wrapping_shift_has_known_values()
    {
        // N = 3, S = 2, wg = [1, 0, 0], s as above, dw~ = [1, 2, 3]:
        // dS_j = sum_i dw~(i) wg(i - shift_j) = dw~(shift_j mod 3) = [2, 3, 1, 2, 3]
        // dwg(0) = sum_j s_j dw~(shift_j) = 0.1*2 + 0.2*3 + 0.3*1 + 0.15*2 + 0.25*3 = 2.15
        // dwg(1) = sum_j s_j dw~(1 + shift_j) = 0.1*3 + 0.2*1 + 0.3*2 + 0.15*3 + 0.25*1 = 1.8
        // dwg(2) = sum_j s_j dw~(2 + shift_j) = 0.1*1 + 0.2*2 + 0.3*3 + 0.15*1 + 0.25*2 = 2.05
        var dWg = new double[3];
        var dS = new double[5];
        Shift.Backward<double>(dWg, dS, [1, 2, 3], [1, 0, 0], [0.1, 0.2, 0.3, 0.15, 0.25]);
        KernelAssert.Close([2, 3, 1, 2, 3], dS, 0);
        KernelAssert.Close([2.15, 1.8, 2.05], dWg, 1e-15);
    }

    [Theory]
    [InlineData(7, 1, 1)]   // both runs of the circle for every shift
    [InlineData(3, 2, 2)]   // shifts as wide as the memory wrap and add up
    [InlineData(2, 1, 3)]
    [InlineData(1, 1, 4)]   // every shift lands on the only row
    public void Backward_matches_central_differences(int n, int range, int seed)
    {
        // Bilinear in wg and s, so any point will do; both are weightings as in the machine.
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("wg", FiniteDifference.Weighting(rng, n))
            .Input("s", FiniteDifference.Weighting(rng, 2 * range + 1))
            .Check(
                x =>
                {
                    var wt = new double[n];
                    Shift.Forward<double>(x["wg"], x["s"], wt);
                    return new() { ["wTilde"] = wt };
                },
                (x, dy, dx) => Shift.Backward<double>(dx["wg"], dx["s"], dy["wTilde"], x["wg"], x["s"]));
    }
}
