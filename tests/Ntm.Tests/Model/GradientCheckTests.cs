using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tests.Kernels;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// Finite-difference checks of the whole machine's backward pass, in double precision, through the
/// same harness as the kernels (<see cref="FiniteDifference"/>, whose summary gives the step and the
/// tolerance): every parameter of every tensor is an input, the loss the one output, for both
/// controller kinds, several read and write heads, wrapping shifts, learned, constant and random
/// fixed memory. The fixed random memory is held fixed and must get no gradient at all. A wrong
/// term in any backward is off by far more than the tolerance (typically tens of percent).
/// </summary>
public sealed class GradientCheckTests
{
    public static TheoryData<string, NtmConfig> Configs() => new()
    {
        { "lstm 2 layers, 2 read + 2 write heads, learned memory", new NtmConfig
            { InputSize = 3, OutputSize = 2, ControllerSize = 4, ControllerLayers = 2, MemoryRows = 5, MemoryWidth = 3,
              ReadHeads = 2, WriteHeads = 2, ShiftRange = 1, MemoryInit = MemoryInit.Learned } },
        { "feed-forward 2 layers, 2 read + 2 write heads, learned memory", new NtmConfig
            { Controller = ControllerKind.FeedForward, InputSize = 3, OutputSize = 2, ControllerSize = 4, ControllerLayers = 2,
              MemoryRows = 5, MemoryWidth = 3, ReadHeads = 2, WriteHeads = 2, ShiftRange = 1, MemoryInit = MemoryInit.Learned } },
        { "lstm, 1 read + 1 write head, constant memory", new NtmConfig
            { InputSize = 3, OutputSize = 2, ControllerSize = 5, MemoryRows = 6, MemoryWidth = 4, ReadHeads = 1, WriteHeads = 1 } },
        { "feed-forward, shifts wider than memory (wrap)", new NtmConfig
            { Controller = ControllerKind.FeedForward, InputSize = 2, OutputSize = 3, ControllerSize = 3, MemoryRows = 3,
              MemoryWidth = 2, ReadHeads = 1, WriteHeads = 1, ShiftRange = 2, MemoryInit = MemoryInit.Learned } },
        { "lstm, 3 write heads, 1 read head, random fixed memory", new NtmConfig
            { InputSize = 2, OutputSize = 2, ControllerSize = 3, MemoryRows = 4, MemoryWidth = 3, ReadHeads = 1, WriteHeads = 3,
              MemoryInit = MemoryInit.Random } },
        { "plain 2-layer lstm (no heads)", new NtmConfig
            { InputSize = 3, OutputSize = 2, ControllerSize = 4, ControllerLayers = 2, ReadHeads = 0, WriteHeads = 0 } },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Backward_matches_central_differences_for_every_parameter(string name, NtmConfig config)
    {
        _ = name;
        CheckEveryParameter(new DoubleHarness(config, steps: 5, batch: 2, seed: 11));
    }

    /// <summary>Central differences on every parameter of <paramref name="machine"/> against its backward pass.</summary>
    internal static void CheckEveryParameter(DoubleHarness machine)
    {
        var check = new FiniteDifference();
        foreach (ParameterTensor t in machine.Layout.Tensors)
            check.Input(t.Name, machine.Params.AsSpan(t.Offset, t.Length).ToArray(), t.Trainable ? GradientMode.Accumulates : GradientMode.Fixed);
        check.Check(
            x =>
            {
                machine.Load(x);
                return new() { ["loss"] = [machine.LossValue()] };
            },
            (x, dy, dx) =>
            {
                // The engine accumulates into one gradient array laid out as the parameters: it starts
                // from the harness's buffers, so their accumulation is the engine's.
                machine.Load(x);
                var grad = new double[machine.Layout.Count];
                foreach (ParameterTensor t in machine.Layout.Tensors) dx[t.Name].CopyTo(grad, t.Offset);
                machine.Backward(grad, dy["loss"][0]);
                foreach (ParameterTensor t in machine.Layout.Tensors) grad.AsSpan(t.Offset, t.Length).CopyTo(dx[t.Name]);
            });
    }

    [Fact]
    public void Every_trainable_tensor_receives_a_nonzero_gradient()
    {
        var config = new NtmConfig
        {
            InputSize = 3, OutputSize = 2, ControllerSize = 4, ControllerLayers = 2, MemoryRows = 5, MemoryWidth = 3,
            ReadHeads = 2, WriteHeads = 2, MemoryInit = MemoryInit.Learned,
        };
        var harness = new DoubleHarness(config, steps: 5, batch: 2, seed: 3);
        double[] g = harness.Gradient();
        foreach (ParameterTensor t in harness.Layout.Tensors)
        {
            double norm = 0;
            for (int k = 0; k < t.Length; k++) norm += g[t.Offset + k] * g[t.Offset + k];
            Assert.True(norm > 0, $"tensor {t.Name} got no gradient");
        }
    }
}

/// <summary>Runs the engine in double precision on one random batch with random parameters.</summary>
internal sealed class DoubleHarness
{
    public readonly NtmConfig Config;
    public readonly ParameterLayout Layout;
    public readonly double[] Params;
    private readonly MachineEngine<double> _engine;
    private readonly MachineEngine<double>.OnTeam? _onTeam;
    private readonly ShardWorkspace<double> _ws;
    private readonly int _steps, _batch;

    /// <summary>With a <paramref name="team"/>, every pass of one sequence is shared by its members.</summary>
    public DoubleHarness(NtmConfig config, int steps, int batch, int seed, WorkerTeam? team = null)
    {
        Config = config;
        Layout = new ParameterLayout(config);
        _engine = new MachineEngine<double>(config, Layout);
        if (team is not null) _onTeam = new MachineEngine<double>.OnTeam(_engine, team);
        _ws = new ShardWorkspace<double>(config, Layout);
        _ws.EnsureCapacity(steps, batch);
        _steps = steps;
        _batch = batch;
        var rng = new Rng((ulong)seed);
        Params = new double[Layout.Count];
        for (int i = 0; i < Params.Length; i++) Params[i] = rng.NextDouble(-0.8, 0.8);
        for (int i = 0; i < steps * batch * config.InputSize; i++) _ws.X[i] = rng.NextBit() ? 1 : 0;
        for (int i = 0; i < steps * batch * config.OutputSize; i++) _ws.Target[i] = rng.NextBit() ? 1 : 0;
        for (int i = 0; i < steps * batch; i++) _ws.Mask[i] = rng.NextDouble() < 0.7 ? 1 : 0;
    }

    private void Forward()
    {
        if (_onTeam is null) _engine.Forward(Params, _ws, _steps, _batch);
        else _onTeam.Forward(Params, _ws, _steps, _batch);
    }

    public double LossValue()
    {
        Forward();
        var cost = new double[_batch];
        var errors = new double[_batch];
        _engine.Loss(_ws, _steps, _batch, cost, errors);
        return cost.Sum() * 0.5;
    }

    public double[] Gradient()
    {
        var grad = new double[Layout.Count];
        Backward(grad, 1);
        return grad;
    }

    /// <summary>Adds <paramref name="upstream"/> times the gradient of <see cref="LossValue"/> into <paramref name="grad"/>.</summary>
    public void Backward(double[] grad, double upstream)
    {
        Forward();
        if (_onTeam is null) _engine.Backward(Params, grad, _ws, _steps, _batch, 0.5 * upstream);
        else _onTeam.Backward(Params, grad, _ws, _steps, _batch, 0.5 * upstream);
    }

    /// <summary>Copies every tensor, by name, into <see cref="Params"/>.</summary>
    public void Load(IReadOnlyDictionary<string, double[]> tensors)
    {
        foreach (ParameterTensor t in Layout.Tensors) tensors[t.Name].CopyTo(Params, t.Offset);
    }
}
