using Ntm.Model;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The float engine (used for training) against the double engine (checked against finite
/// differences in GradientCheckTests) on the same configuration, parameters and batch. The
/// parameters are drawn in double and rounded to float first, so both engines start from identical
/// numbers and only the arithmetic differs.
/// </summary>
public sealed class FloatDoubleAgreementTests
{
    // Tolerances. Float has a unit roundoff of 6e-8; a logit here is the end of roughly a hundred
    // dependent operations per step over 6 steps (LSTM, addressing with sharpening that raises weights
    // to a power gamma of up to ~5, so relative errors in w~ grow by gamma), so errors of a few 1e-6
    // relative are expected; 1e-4 leaves a wide margin while still catching a float-only bug (a wrong
    // epsilon or a lost term moves values by 1e-3 or more). Gradients pass through the same chain twice
    // and through differences of nearly equal numbers, hence 1e-3 on the entries that matter (those of at
    // least a tenth of the largest). Observed on these configurations: about 3e-7 (logits) and 6e-6 (gradients).
    private const double LogitTolerance = 1e-4;
    private const double GradientTolerance = 1e-3;

    public static TheoryData<string, NtmConfig> Configs() => new()
    {
        { "lstm, 1 read + 1 write, constant memory", new NtmConfig
            { InputSize = 4, OutputSize = 3, ControllerSize = 8, MemoryRows = 8, MemoryWidth = 4, ReadHeads = 1, WriteHeads = 1 } },
        { "lstm 2 layers, 2 read + 2 write, learned memory, shift range 2", new NtmConfig
            { InputSize = 3, OutputSize = 2, ControllerSize = 6, ControllerLayers = 2, MemoryRows = 6, MemoryWidth = 3,
              ReadHeads = 2, WriteHeads = 2, ShiftRange = 2, MemoryInit = MemoryInit.Learned } },
        { "feed-forward, 1 read + 1 write, constant memory", new NtmConfig
            { Controller = ControllerKind.FeedForward, InputSize = 4, OutputSize = 3, ControllerSize = 8, MemoryRows = 8,
              MemoryWidth = 4, ReadHeads = 1, WriteHeads = 1 } },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Float_and_double_engines_agree_on_logits_and_gradients(string name, NtmConfig config)
    {
        _ = name;
        const int steps = 6, batch = 2;
        var layout = new ParameterLayout(config);
        var rng = new Rng(2024);
        var prm = new double[layout.Count];
        for (int i = 0; i < prm.Length; i++) prm[i] = (float)rng.NextDouble(-0.8, 0.8);
        double[] x = Enumerable.Range(0, steps * batch * config.InputSize).Select(_ => rng.NextBit() ? 1.0 : 0.0).ToArray();
        double[] y = Enumerable.Range(0, steps * batch * config.OutputSize).Select(_ => rng.NextBit() ? 1.0 : 0.0).ToArray();
        double[] mask = Enumerable.Repeat(1.0, steps * batch).ToArray();

        var (logitsD, gradD) = EngineRun.Run<double>(config, prm, x, y, mask, steps, batch);
        var (logitsF, gradF) = EngineRun.Run<float>(config, prm, x, y, mask, steps, batch);

        // Logits: relative to the logit's own size, with the largest logit as the floor for values near 0.
        double logitScale = logitsD.Max(Math.Abs);
        Assert.True(logitScale > 0.1, "the test needs non-trivial logits");
        for (int i = 0; i < logitsD.Length; i++)
        {
            double err = Math.Abs(logitsF[i] - logitsD[i]) / Math.Max(Math.Abs(logitsD[i]), logitScale);
            Assert.True(err <= LogitTolerance, $"logit {i}: double {logitsD[i]:R}, float {logitsF[i]:R}, relative error {err:G3}");
        }

        // Gradients: every entry of at least a tenth of the largest, per tensor.
        int compared = 0;
        foreach (ParameterTensor t in layout.Tensors)
        {
            double tensorMax = 0;
            for (int k = 0; k < t.Length; k++) tensorMax = Math.Max(tensorMax, Math.Abs(gradD[t.Offset + k]));
            for (int k = 0; k < t.Length; k++)
            {
                double d = gradD[t.Offset + k], f = gradF[t.Offset + k];
                Assert.True(double.IsFinite(f), $"{t.Name}[{k}] is {f} in float");
                if (Math.Abs(d) < 0.1 * tensorMax) continue;
                double err = Math.Abs(f - d) / Math.Abs(d);
                Assert.True(err <= GradientTolerance, $"{t.Name}[{k}]: double {d:R}, float {f:R}, relative error {err:G3}");
                compared++;
            }
        }
        Assert.True(compared >= layout.Tensors.Count, $"only {compared} gradient entries compared");
    }
}
