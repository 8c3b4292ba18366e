using Ntm.Controllers;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The feed-forward controller layer (docs/equations.md, "Controllers"): h = tanh(W u + b). Known
/// values of one step, and its backward against central differences.
/// </summary>
public sealed class FeedForwardTests
{
    [Fact]
    public void One_step_has_known_values()
    {
        // u = [1, -1], W = [[1, 0.5], [2, 2], [0, -1]], b = [ln 2 - 0.5, 0, ln 3 - 1]:
        //   W u + b = [1 - 0.5 + ln 2 - 0.5, 2 - 2 + 0, 0 + 1 + ln 3 - 1] = [ln 2, 0, ln 3]
        //   tanh ln x = (x - 1/x) / (x + 1/x): tanh ln 2 = 1.5 / 2.5 = 0.6, tanh 0 = 0, tanh ln 3 = (8/3) / (10/3) = 0.8
        var h = new double[3];
        FeedForward.Forward<double>([1, 0.5, 2, 2, 0, -1], [Math.Log(2) - 0.5, 0, Math.Log(3) - 1], [1, -1], 2, h, 3, 1);
        KernelAssert.Close([0.6, 0, 0.8], h, 1e-15);
    }

    private static double[] Forward(IReadOnlyDictionary<string, double[]> x, int uWidth, int hidden, int batch)
    {
        var h = new double[batch * hidden];
        FeedForward.Forward<double>(x["weight"], x["bias"], x["u"], uWidth, h, hidden, batch);
        return h;
    }

    [Theory]
    [InlineData(4, 6, 5, 1)]   // 5 sequences: the input gradient's 4-sequence block and one more
    [InlineData(3, 9, 2, 2)]
    [InlineData(5, 3, 1, 3)]
    public void Backward_matches_central_differences(int hidden, int uWidth, int batch, int seed)
    {
        // Smooth everywhere, so the point is random: u, W, b in [-1, 1]. Backward overwrites dU and
        // writes dPre; the weight gradients come from dPre through Linear.WeightGradient, as the
        // controller stack does.
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("u", FiniteDifference.Uniform(rng, batch * uWidth, -1, 1), GradientMode.Overwrites)
            .Input("weight", FiniteDifference.Uniform(rng, hidden * uWidth, -1, 1))
            .Input("bias", FiniteDifference.Uniform(rng, hidden, -1, 1))
            .Check(
                x => new() { ["h"] = Forward(x, uWidth, hidden, batch) },
                (x, dy, dx) =>
                {
                    var dPre = new double[batch * hidden];
                    FeedForward.Backward<double>(dx["u"], dPre, dy["h"], x["weight"], Forward(x, uWidth, hidden, batch), uWidth, hidden, batch, 0);
                    Linear.WeightGradient<double>(dx["weight"], dx["bias"], hidden, uWidth, x["u"], uWidth, dPre, hidden, batch);
                });
    }

    [Fact]
    public void A_positive_clip_clamps_the_pre_activation_gradients_and_the_input_gradient_follows()
    {
        const int hidden = 4, uWidth = 3, batch = 2;
        var rng = new Rng(5);
        double[] weight = FiniteDifference.Uniform(rng, hidden * uWidth, -1, 1);
        double[] h = FiniteDifference.Uniform(rng, batch * hidden, -0.9, 0.9);   // a tanh output
        double[] dH = FiniteDifference.Uniform(rng, batch * hidden, -3, 3);
        (double[] DU, double[] DPre) Run(double clip)
        {
            var dU = new double[batch * uWidth];
            var dPre = new double[batch * hidden];
            FeedForward.Backward<double>(dU, dPre, dH, weight, h, uWidth, hidden, batch, clip);
            return (dU, dPre);
        }
        var exact = Run(0);
        double clipAt = exact.DPre.Select(Math.Abs).Order().ElementAt(exact.DPre.Length / 2);   // the median: half are clamped
        var clipped = Run(clipAt);

        double[] clamped = exact.DPre.Select(g => Math.Clamp(g, -clipAt, clipAt)).ToArray();
        Assert.Contains(exact.DPre, g => Math.Abs(g) > clipAt);
        KernelAssert.Close(clamped, clipped.DPre, 0);
        var dU = new double[batch * uWidth];
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < hidden; r++)
                for (int k = 0; k < uWidth; k++) dU[b * uWidth + k] += weight[r * uWidth + k] * clamped[b * hidden + r];
        KernelAssert.Close(dU, clipped.DU, 1e-14);
    }
}
