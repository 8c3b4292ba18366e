using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Tests.Kernels;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// One sequence's passes shared by a <see cref="WorkerTeam"/> (<see cref="MachineEngine{T}.OnTeam"/>): the
/// same numbers as the engine alone, bit for bit, for teams of 2 and 3; a backward pass that still matches
/// central differences; and no allocation on any member's thread once warm.
/// </summary>
public sealed class IntraStepTests
{
    public static TheoryData<string, NtmConfig> Configs() => new()
    {
        { "copy machine, LSTM 100", new NtmConfig() },
        { "copy machine, feed-forward 100", new NtmConfig { Controller = ControllerKind.FeedForward } },
        { "LSTM 2 layers of 36, 2 read and 2 write heads, learned memory", new NtmConfig
            { ControllerSize = 36, ControllerLayers = 2, MemoryRows = 12, MemoryWidth = 5, ReadHeads = 2, WriteHeads = 2,
              ShiftRange = 2, MemoryInit = MemoryInit.Learned } },
        { "feed-forward 2 layers of 50, 1 read and 3 write heads", new NtmConfig
            { Controller = ControllerKind.FeedForward, ControllerSize = 50, ControllerLayers = 2, MemoryRows = 12, MemoryWidth = 5,
              ReadHeads = 1, WriteHeads = 3 } },
        { "plain 3-layer LSTM of 20 (no heads)", new NtmConfig { ControllerSize = 20, ControllerLayers = 3, ReadHeads = 0, WriteHeads = 0 } },
    };

    private static (float[] Logits, float[] Grad) Run(NtmConfig config, SequenceBatch data, int teamSize)
    {
        var model = NeuralTuringMachine.Create(config, 3);
        var ws = new ShardWorkspace<float>(model.Config, model.Layout);
        NeuralTuringMachine.Load(data, ws, 0, 1);
        var grad = new float[model.Layout.Count];
        if (teamSize == 0)
        {
            model.Engine.Forward(model.Parameters, ws, data.Steps, 1);
            model.Engine.Backward(model.Parameters, grad, ws, data.Steps, 1, 1f, 10f);
        }
        else
        {
            using var team = new WorkerTeam(teamSize);
            var onTeam = new MachineEngine<float>.OnTeam(model.Engine, team);
            onTeam.Forward(model.Parameters, ws, data.Steps, 1);
            onTeam.Backward(model.Parameters, grad, ws, data.Steps, 1, 1f, 10f);
        }
        return (ws.Logits.AsSpan(0, data.Steps * config.OutputSize).ToArray(), grad);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void A_shared_sequence_gives_the_engines_numbers_bit_for_bit(string name, NtmConfig config)
    {
        _ = name;
        var task = new CopyTask();
        config = config with { InputSize = task.InputSize, OutputSize = task.OutputSize };
        SequenceBatch data = task.Make(new Rng(4), 1, 9);
        (float[] logits, float[] grad) = Run(config, data, 0);
        Assert.Contains(grad, g => g != 0);
        foreach (int size in new[] { 1, 2, 3 })
        {
            (float[] l, float[] g) = Run(config, data, size);
            Assert.Equal(logits, l);
            Assert.Equal(grad, g);
        }
    }

    [Fact]
    public void A_shared_backward_pass_matches_central_differences()
    {
        // Wide enough (16 units, 17 and 19 input columns) that both members get units, columns and rows.
        var config = new NtmConfig
        {
            InputSize = 3, OutputSize = 2, ControllerSize = 16, ControllerLayers = 2, MemoryRows = 5, MemoryWidth = 3,
            ReadHeads = 1, WriteHeads = 1, ShiftRange = 1, MemoryInit = MemoryInit.Learned,
        };
        using var team = new WorkerTeam(2);
        GradientCheckTests.CheckEveryParameter(new DoubleHarness(config, steps: 4, batch: 1, seed: 13, team));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Shared_passes_allocate_nothing_on_any_members_thread_after_a_warm_up(string name, NtmConfig config)
    {
        var task = new CopyTask();
        config = config with { InputSize = task.InputSize, OutputSize = task.OutputSize };
        var model = NeuralTuringMachine.Create(config, 1);
        var ws = model.Workspace(0);
        SequenceBatch data = task.Make(new Rng(5), 1, 6);
        var grad = new float[model.Layout.Count];
        using var team = new WorkerTeam(2);
        var onTeam = new MachineEngine<float>.OnTeam(model.Engine, team);
        NeuralTuringMachine.Load(data, ws, 0, 1);
        for (int i = 0; i < 2; i++)
        {
            onTeam.Forward(model.Parameters, ws, data.Steps, 1);
            onTeam.Backward(model.Parameters, grad, ws, data.Steps, 1, 1f);
        }
        var before = new long[2];
        var after = new long[2];
        Action<int> readBefore = m => before[m] = GC.GetAllocatedBytesForCurrentThread();
        Action<int> readAfter = m => after[m] = GC.GetAllocatedBytesForCurrentThread();
        team.Run(readBefore);
        long start = GC.GetAllocatedBytesForCurrentThread();
        onTeam.Forward(model.Parameters, ws, data.Steps, 1);
        onTeam.Backward(model.Parameters, grad, ws, data.Steps, 1, 1f);
        long callerBytes = GC.GetAllocatedBytesForCurrentThread() - start;
        team.Run(readAfter);
        Assert.True(callerBytes == 0, $"{name}: the calling thread allocated {callerBytes} bytes");
        Assert.True(after[1] - before[1] == 0, $"{name}: the worker allocated {after[1] - before[1]} bytes");
    }
}
