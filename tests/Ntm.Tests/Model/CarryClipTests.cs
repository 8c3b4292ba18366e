using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// The clip of the gradients carried back through time: off or never reached, the gradient is
/// exactly the unclipped one; reached, every carried gradient stays within the bound; and a
/// gradient whose squares overflow float32 still has a finite norm.
/// </summary>
public sealed class CarryClipTests
{
    private static (float[] Grad, ShardWorkspace<float> Ws) Backward(NtmConfig config, SequenceBatch batch, float clip, float lossScale)
    {
        var model = NeuralTuringMachine.Create(config, 5);
        var ws = model.Workspace(0);
        NeuralTuringMachine.Load(batch, ws, 0, batch.BatchSize);
        model.Engine.Forward(model.Parameters, ws, batch.Steps, batch.BatchSize);
        var grad = new float[model.Layout.Count];
        model.Engine.Backward(model.Parameters, grad, ws, batch.Steps, batch.BatchSize, lossScale, clip);
        return (grad, ws);
    }

    private static readonly NtmConfig Config = new() { InputSize = 5, OutputSize = 4, ControllerSize = 16, MemoryRows = 12, MemoryWidth = 6 };

    [Fact]
    public void A_clip_that_is_never_reached_leaves_the_gradient_exactly_as_it_was()
    {
        var batch = new CopyTask(bits: 4).Make(new Rng(3), 2, 9);
        float[] exact = Backward(Config, batch, 0f, 0.5f).Grad;
        float[] loose = Backward(Config, batch, 1e30f, 0.5f).Grad;
        Assert.Equal(exact, loose);
    }

    [Theory]
    [InlineData(ControllerKind.Lstm)]
    [InlineData(ControllerKind.FeedForward)]
    public void A_tight_clip_bounds_every_carried_gradient(ControllerKind controller)
    {
        var config = Config with { Controller = controller };
        var batch = new CopyTask(bits: 4).Make(new Rng(3), 2, 9);
        const float clip = 1e-3f, scale = 0.5f;
        var (grad, ws) = Backward(config, batch, clip, scale);
        float[] exact = Backward(config, batch, 0f, scale).Grad;
        Assert.NotEqual(exact, grad);                           // the bound was reached
        float bound = clip * scale * (1 + 1e-6f);
        int rows = batch.Steps * batch.BatchSize;
        int gateWidth = controller == ControllerKind.Lstm ? 4 * config.ControllerSize : config.ControllerSize;
        Assert.All(ws.DGates[0].AsSpan(0, rows * gateWidth).ToArray(), g => Assert.InRange(g, -bound, bound));
        int p = new ParameterLayout(config).HeadOutputSize;
        Assert.All(ws.DHeadRaw.AsSpan(0, rows * p).ToArray(), g => Assert.InRange(g, -bound, bound));
        int heads = config.Heads, n = config.MemoryRows, nm = n * config.MemoryWidth;
        Assert.All(ws.DWPrev.AsSpan(0, batch.BatchSize * heads * n).ToArray(), g => Assert.InRange(g, -bound, bound));   // dL/dw_{-1}
        Assert.All(ws.DMemCur.AsSpan(0, batch.BatchSize * nm).ToArray(), g => Assert.InRange(g, -bound, bound));        // dL/dM_{-1}
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void The_gradient_norm_survives_squares_that_overflow_float32()
    {
        Assert.Equal(5e30f, GradientClipping.Norm([3e30f, -4e30f]), 1e25f);
        Assert.Equal(5f, GradientClipping.Norm([3f, 4f]));
        Assert.True(float.IsNaN(GradientClipping.Norm([1f, float.NaN])) || float.IsInfinity(GradientClipping.Norm([1f, float.NaN])));
        Assert.True(float.IsInfinity(GradientClipping.Norm([1f, float.PositiveInfinity])));
        float[] g = [3e30f, -4e30f];
        GradientClipping.ClipGlobalNorm(g, 10f);
        Assert.Equal(6f, g[0], 1e-4f);
        Assert.Equal(-8f, g[1], 1e-4f);
    }

    [Fact]
    public void Trainer_options_reject_a_negative_carry_clip()
        => Assert.Throws<InvalidConfigurationException>(() => new TrainerOptions { CarryClip = -1 }.Validate());
}
