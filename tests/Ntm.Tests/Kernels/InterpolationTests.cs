using Ntm.Addressing;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Known values of the interpolation gate (paper eq. 7): w^g = g w^c + (1 - g) w_{t-1}.</summary>
public sealed class InterpolationTests
{
    private static readonly double[] Wc = [0.7, 0.2, 0.1];
    private static readonly double[] WPrev = [0, 0, 1];

    private static double[] Run(double g)
    {
        var wg = new double[3];
        Interpolation.Forward<double>(Wc, WPrev, g, wg);
        return wg;
    }

    [Fact]
    public void Gate_zero_keeps_the_previous_weighting() => KernelAssert.Close([0, 0, 1], Run(0), 0);

    [Fact]
    public void Gate_one_takes_the_content_weighting() => KernelAssert.Close([0.7, 0.2, 0.1], Run(1), 0);

    [Fact]
    public void Gate_one_quarter_mixes_one_quarter_content()
    {
        // 0.25 [0.7, 0.2, 0.1] + 0.75 [0, 0, 1] = [0.175, 0.05, 0.025 + 0.75] = [0.175, 0.05, 0.775]
        double[] wg = Run(0.25);
        KernelAssert.Close([0.175, 0.05, 0.775], wg, 1e-15);
        KernelAssert.Distribution<double>(wg, 1e-15, "wg");
    }

    [Fact]
    public void Backward_gives_the_gate_derivative_and_accumulates()
    {
        // dwg = [1, 2, 3]: dg = sum dwg (wc - wPrev) = 0.7 + 0.4 + 3 (0.1 - 1) = 1.1 - 2.7 = -1.6;
        // dwc += g dwg = [0.25, 0.5, 0.75]; dwPrev += 0.75 dwg = [0.75, 1.5, 2.25] (on top of 1).
        var dWc = new double[3];
        double[] dWPrev = [1, 1, 1];
        double dg = Interpolation.Backward<double>(dWc, dWPrev, [1, 2, 3], Wc, WPrev, 0.25);
        Assert.Equal(-1.6, dg, 1e-15);
        KernelAssert.Close([0.25, 0.5, 0.75], dWc, 1e-15);
        KernelAssert.Close([1.75, 2.5, 3.25], dWPrev, 1e-15);
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(2, 2)]
    public void Backward_matches_central_differences(int n, int seed)
    {
        // The function is linear in each input, defined everywhere; the point is a typical one: two
        // weightings and a gate inside (0, 1).
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("wc", FiniteDifference.Weighting(rng, n))
            .Input("wPrev", FiniteDifference.Weighting(rng, n))
            .Input("g", [rng.NextDouble(0.2, 0.8)], GradientMode.Overwrites)   // returned by Backward
            .Check(
                x =>
                {
                    var wg = new double[n];
                    Interpolation.Forward<double>(x["wc"], x["wPrev"], x["g"][0], wg);
                    return new() { ["wg"] = wg };
                },
                (x, dy, dx) => dx["g"][0] = Interpolation.Backward<double>(dx["wc"], dx["wPrev"], dy["wg"], x["wc"], x["wPrev"], x["g"][0]));
    }
}
