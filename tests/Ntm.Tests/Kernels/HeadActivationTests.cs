using Ntm.Heads;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// A head's output activations (docs/equations.md, "Heads"): key linear, beta softplus, gate sigmoid,
/// shift softmax, gamma 1 + softplus, erase sigmoid, add tanh. Known values, and the backward
/// against central differences.
/// </summary>
public sealed class HeadActivationTests
{
    // M = 2, S = 1. Raw values whose activations are exact (ln's chosen so each function gives a rational):
    //   key [0.3, -2]            -> [0.3, -2]                      (linear)
    //   beta 0                   -> softplus 0 = ln 2
    //   gate ln 3                -> sigmoid = 3 / (3 + 1) = 3/4
    //   shift [0, ln 2, ln 5]    -> softmax = [1, 2, 5] / 8 = [1/8, 1/4, 5/8]
    //   gamma ln 3               -> 1 + softplus = 1 + ln(1 + 3) = 1 + ln 4
    //   erase [0, -ln 3]         -> sigmoid = [1/2, 1 / (1 + 3)] = [1/2, 1/4]   (write head only)
    //   add [ln 2, 0]            -> tanh = [(2 - 1/2) / (2 + 1/2), 0] = [3/5, 0]  (write head only)
    private static readonly double[] Raw = [0.3, -2, 0, Math.Log(3), 0, Math.Log(2), Math.Log(5), Math.Log(3), 0, -Math.Log(3), Math.Log(2), 0];
    private static readonly double[] Act = [0.3, -2, Math.Log(2), 0.75, 0.125, 0.25, 0.625, 1 + Math.Log(4), 0.5, 0.25, 0.6, 0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Known_values(bool isWrite)
    {
        var hl = new HeadLayout(2, 1, isWrite);
        Assert.Equal(isWrite ? 12 : 8, hl.Size);
        var act = new double[hl.Size];
        HeadActivation.Forward<double>(Raw.AsSpan(0, hl.Size), act, hl);
        KernelAssert.Close(Act.AsSpan(0, hl.Size), act, 1e-15);
    }

    [Theory]
    [InlineData(false, 3, 1, 1)]
    [InlineData(true, 3, 1, 2)]
    [InlineData(true, 5, 2, 3)]
    public void Backward_matches_central_differences(bool isWrite, int width, int range, int seed)
    {
        // Every activation is smooth, so the raw values are random in [-2, 2]. Backward works in place:
        // the buffer holds dL/d(act) and becomes dL/d(raw), so the test copies the upstream in first
        // and the raw gradient is overwritten.
        var hl = new HeadLayout(width, range, isWrite);
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("raw", FiniteDifference.Uniform(rng, hl.Size, -2, 2), GradientMode.Overwrites)
            .Check(
                x => new() { ["act"] = Forward(x["raw"], hl) },
                (x, dy, dx) =>
                {
                    dy["act"].CopyTo(dx["raw"], 0);
                    HeadActivation.Backward<double>(dx["raw"], x["raw"], Forward(x["raw"], hl), hl);
                });

        static double[] Forward(double[] raw, HeadLayout hl)
        {
            var act = new double[hl.Size];
            HeadActivation.Forward<double>(raw, act, hl);
            return act;
        }
    }
}
