using Ntm.Addressing;
using Ntm.Heads;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// One head's addressing chain (paper eq. 5-9, fig. 2): content weighting, interpolation, shift and
/// sharpening, checked end to end against central differences. The steps' values are in their own tests.
/// </summary>
public sealed class HeadAddressingTests
{
    private static (double[] Norms, double[] Sim, double[] Wc, double[] Wg, double[] Wt, double[] W, double KeyNorm) Forward(
        IReadOnlyDictionary<string, double[]> x, HeadLayout hl)
    {
        int n = x["wPrev"].Length;
        var norms = new double[n];
        ContentAddressing.RowNorms<double>(x["memory"], hl.Width, norms);
        double[] sim = new double[n], wc = new double[n], wg = new double[n], wt = new double[n], w = new double[n];
        double keyNorm = HeadAddressing.Forward<double>(x["act"], hl, x["wPrev"], x["memory"], norms, sim, wc, wg, wt, w);
        return (norms, sim, wc, wg, wt, w, keyNorm);
    }

    [Theory]
    [InlineData(false, 6, 3, 1, 1)]
    [InlineData(true, 5, 4, 1, 2)]   // a write head: its erase and add are not addressing's and get no gradient here
    [InlineData(false, 3, 3, 2, 3)]  // shifts as wide as the memory wrap around
    [InlineData(true, 8, 5, 2, 4)]
    public void Backward_matches_central_differences(bool isWrite, int n, int m, int range, int seed)
    {
        // The activated head outputs are drawn inside their ranges and away from the edges: key and
        // memory in [-1, 1] (no zero norms, where the cosine has no derivative), beta in [0.5, 4],
        // gate in [0.2, 0.8], the shift weighting and w_{t-1} positive and normalised, gamma in [1, 4].
        // Positive shift and previous weights keep w~ positive, as sharpening's logarithm needs. The row
        // norms are recomputed from the memory in the forward, since Backward accounts for them.
        // Backward accumulates dAct and dMemory and overwrites dWPrev.
        var hl = new HeadLayout(m, range, isWrite);
        var rng = new Rng((ulong)seed);
        double[] act = FiniteDifference.Uniform(rng, hl.Size, -1, 1);
        act[hl.Beta] = rng.NextDouble(0.5, 4);
        act[hl.Gate] = rng.NextDouble(0.2, 0.8);
        FiniteDifference.Weighting(rng, hl.Shifts).CopyTo(act, hl.Shift);
        act[hl.Gamma] = rng.NextDouble(1, 4);
        if (isWrite) FiniteDifference.Uniform(rng, m, 0.05, 0.95).CopyTo(act, hl.Erase);
        new FiniteDifference()
            .Input("act", act)
            .Input("wPrev", FiniteDifference.Weighting(rng, n), GradientMode.Overwrites)
            .Input("memory", FiniteDifference.Uniform(rng, n * m, -1, 1))
            .Check(
                x => new() { ["w"] = Forward(x, hl).W },
                (x, dy, dx) =>
                {
                    var (norms, sim, wc, wg, wt, w, keyNorm) = Forward(x, hl);
                    HeadAddressing.Backward<double>(dx["act"], dx["memory"], dx["wPrev"], dy["w"], x["act"], hl, x["wPrev"], x["memory"],
                        norms, keyNorm, sim, wc, wg, wt, w, new double[n], new double[n], new double[n], new double[2 * n]);
                });
    }
}
