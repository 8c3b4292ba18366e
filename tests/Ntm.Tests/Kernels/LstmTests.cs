using Ntm.Controllers;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The LSTM layer (docs/equations.md, "Controllers"): [i f g o] = W u + b; i, f, o sigmoid, g tanh;
/// c = f c_prev + i g; h = o tanh(c). Known values of one step, and its backward against central differences.
/// </summary>
public sealed class LstmTests
{
    // H = 1, U = 2. The weights and bias are chosen so the pre-activations come out as
    // W u + b = [0, ln 3, ln 2, 0] for u = [1, 2]:
    //   i: 1 * 1 - 0.5 * 2 + 0          = 0     -> sigmoid 0    = 1/2
    //   f: 0 + ln 3                     = ln 3  -> sigmoid ln 3 = 3 / (3 + 1) = 3/4
    //   g: 0.25 * 1 + 0 + (ln 2 - 0.25) = ln 2  -> tanh ln 2    = (2 - 1/2) / (2 + 1/2) = 3/5
    //   o: 2 * 1 - 1 * 2 + 0            = 0     -> sigmoid 0    = 1/2
    private static readonly double[] Weight = [1, -0.5, 0, 0, 0.25, 0, 2, -1];
    private static readonly double[] Bias = [0, Math.Log(3), Math.Log(2) - 0.25, 0];
    private static readonly double[] U = [1, 2];

    private static (double[] Gates, double[] C, double[] TanhC, double[] H) Step(double[] cPrev)
    {
        var gates = new double[4];
        var c = new double[1];
        var tanhC = new double[1];
        var h = new double[1];
        Lstm.Forward<double>(Weight, Bias, U, 2, gates, cPrev, c, tanhC, h, 1, 1);
        return (gates, c, tanhC, h);
    }

    [Fact]
    public void One_step_with_a_previous_cell()
    {
        // c = f c_prev + i g = 3/4 * 0.4 + 1/2 * 3/5 = 0.3 + 0.3 = 0.6
        // h = o tanh(c) = 1/2 * tanh(0.6) = 1/2 * 0.537049567 = 0.268524783
        var (gates, c, tanhC, h) = Step([0.4]);
        KernelAssert.Close([0.5, 0.75, 0.6, 0.5], gates, 1e-15);
        KernelAssert.Close([0.6], c, 1e-15);
        KernelAssert.Close([0.537049567], tanhC, 1e-9);
        KernelAssert.Close([0.268524783], h, 1e-9);
    }

    [Fact]
    public void First_step_starts_from_a_zero_cell()
    {
        // cPrev empty means c_{-1} = 0: c = i g = 0.3, h = 1/2 * tanh(0.3) = 1/2 * 0.291312612 = 0.145656306
        var (_, c, tanhC, h) = Step([]);
        KernelAssert.Close([0.3], c, 1e-15);
        KernelAssert.Close([0.291312612], tanhC, 1e-9);
        KernelAssert.Close([0.145656306], h, 1e-9);
    }

    private static (double[] Gates, double[] C, double[] TanhC, double[] H) Forward(IReadOnlyDictionary<string, double[]> x,
        int uWidth, int hidden, int batch)
    {
        var gates = new double[batch * 4 * hidden];
        var c = new double[batch * hidden];
        var tanhC = new double[batch * hidden];
        var h = new double[batch * hidden];
        Lstm.Forward<double>(x["weight"], x["bias"], x["u"], uWidth, gates, x.TryGetValue("cPrev", out double[]? cp) ? cp : [],
            c, tanhC, h, hidden, batch);
        return (gates, c, tanhC, h);
    }

    [Theory]
    [InlineData(3, 5, 5, true, 1)]    // 5 sequences: the input gradient's 4-sequence block and one more
    [InlineData(2, 7, 2, true, 2)]
    [InlineData(3, 5, 5, false, 3)]   // the first step: no previous cell
    [InlineData(4, 9, 1, false, 4)]
    public void Backward_matches_central_differences(int hidden, int uWidth, int batch, bool hasCPrev, int seed)
    {
        // Smooth everywhere, so the point is random: u, W, b and c_prev in [-1, 1]. The outputs are h
        // (twice: once to the layer above, once carried to step t + 1, each with its own upstream
        // gradient, which Backward takes as dH and dHNext) and c (whose upstream gradient is the dC
        // carried from step t + 1). Backward overwrites dU and turns dC into dL/dc_{t-1}; the weight
        // gradients come from dGates through Linear.WeightGradient, as the controller stack does.
        var rng = new Rng((ulong)seed);
        var check = new FiniteDifference()
            .Input("u", FiniteDifference.Uniform(rng, batch * uWidth, -1, 1), GradientMode.Overwrites)
            .Input("weight", FiniteDifference.Uniform(rng, 4 * hidden * uWidth, -1, 1))
            .Input("bias", FiniteDifference.Uniform(rng, 4 * hidden, -1, 1));
        if (hasCPrev) check.Input("cPrev", FiniteDifference.Uniform(rng, batch * hidden, -1, 1), GradientMode.Overwrites);
        check.Check(
            x =>
            {
                var (_, c, _, h) = Forward(x, uWidth, hidden, batch);
                return new() { ["h"] = h, ["h carried"] = (double[])h.Clone(), ["c"] = c };
            },
            (x, dy, dx) =>
            {
                var (gates, _, tanhC, _) = Forward(x, uWidth, hidden, batch);
                double[] dC = hasCPrev ? dx["cPrev"] : new double[batch * hidden];
                dy["c"].CopyTo(dC, 0);
                var dGates = new double[batch * 4 * hidden];
                Lstm.Backward<double>(dx["u"], dGates, dC, dy["h"], dy["h carried"], x["weight"], gates,
                    hasCPrev ? x["cPrev"] : [], tanhC, uWidth, hidden, batch, 0);
                Linear.WeightGradient<double>(dx["weight"], dx["bias"], 4 * hidden, uWidth, x["u"], uWidth, dGates, 4 * hidden, batch);
            });
    }

    [Fact]
    public void A_positive_clip_clamps_the_gate_gradients_and_what_flows_from_them()
    {
        const int hidden = 3, uWidth = 4, batch = 2;
        var rng = new Rng(7);
        var x = new Dictionary<string, double[]>
        {
            ["u"] = FiniteDifference.Uniform(rng, batch * uWidth, -1, 1),
            ["weight"] = FiniteDifference.Uniform(rng, 4 * hidden * uWidth, -1, 1),
            ["bias"] = FiniteDifference.Uniform(rng, 4 * hidden, -1, 1),
            ["cPrev"] = FiniteDifference.Uniform(rng, batch * hidden, -1, 1),
        };
        double[] dH = FiniteDifference.Uniform(rng, batch * hidden, -3, 3), dHNext = FiniteDifference.Uniform(rng, batch * hidden, -3, 3);
        double[] dCNext = FiniteDifference.Uniform(rng, batch * hidden, -3, 3);
        var (gates, _, tanhC, _) = Forward(x, uWidth, hidden, batch);
        (double[] DU, double[] DGates, double[] DC) Run(double clip)
        {
            var dU = new double[batch * uWidth];
            var dGates = new double[batch * 4 * hidden];
            var dC = (double[])dCNext.Clone();
            Lstm.Backward<double>(dU, dGates, dC, dH, dHNext, x["weight"], gates, x["cPrev"], tanhC, uWidth, hidden, batch, clip);
            return (dU, dGates, dC);
        }
        var exact = Run(0);
        double clipAt = exact.DGates.Select(Math.Abs).Order().ElementAt(exact.DGates.Length / 2);   // the median: half are clamped
        var clipped = Run(clipAt);

        double[] clamped = exact.DGates.Select(g => Math.Clamp(g, -clipAt, clipAt)).ToArray();
        Assert.Contains(exact.DGates, g => Math.Abs(g) > clipAt);
        KernelAssert.Close(clamped, clipped.DGates, 0);
        // dU = W^T (clamped dGates), row by row.
        var dU = new double[batch * uWidth];
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < 4 * hidden; r++)
                for (int k = 0; k < uWidth; k++) dU[b * uWidth + k] += x["weight"][r * uWidth + k] * clamped[b * 4 * hidden + r];
        KernelAssert.Close(dU, clipped.DU, 1e-14);
        // The cell gradient carried to step t - 1 is formed before the gates' gradients and is not clamped.
        KernelAssert.Close(exact.DC, clipped.DC, 0);
    }
}
