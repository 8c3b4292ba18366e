using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// Steady-state training allocates nothing per sequence: once a shard's workspace has seen a batch
/// of this shape, the engine's forward pass, loss and backward pass allocate zero managed bytes on
/// the calling thread (the trainer's only allocations are its per-minibatch bookkeeping).
/// </summary>
public sealed class AllocationTests
{
    public static TheoryData<string, NtmConfig> Configs() => new()
    {
        { "copy machine, LSTM 100", new NtmConfig() },
        { "copy machine, feed-forward 100", new NtmConfig { Controller = ControllerKind.FeedForward } },
        { "LSTM 2 layers, 2 read and 2 write heads, learned memory", new NtmConfig
            { ControllerSize = 16, ControllerLayers = 2, MemoryRows = 12, MemoryWidth = 5, ReadHeads = 2, WriteHeads = 2,
              ShiftRange = 2, MemoryInit = MemoryInit.Learned } },
        { "feed-forward 2 layers, 1 read and 3 write heads", new NtmConfig
            { Controller = ControllerKind.FeedForward, ControllerSize = 16, ControllerLayers = 2, MemoryRows = 12, MemoryWidth = 5,
              ReadHeads = 1, WriteHeads = 3 } },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Forward_loss_and_backward_allocate_nothing_after_a_warm_up(string name, NtmConfig config)
    {
        var task = new CopyTask();
        config = config with { InputSize = task.InputSize, OutputSize = task.OutputSize };
        var model = NeuralTuringMachine.Create(config, 1);
        var engine = model.Engine;
        var ws = model.Workspace(0);
        const int batch = 3;
        SequenceBatch data = task.Make(new Rng(5), batch, 6);
        var grad = new float[model.Layout.Count];
        var cost = new double[batch];
        var errors = new double[batch];
        NeuralTuringMachine.Load(data, ws, 0, batch);
        for (int i = 0; i < 2; i++)   // warm-up: sizes the workspace and runs every code path once
        {
            engine.Forward(model.Parameters, ws, data.Steps, batch);
            engine.Loss(ws, data.Steps, batch, cost, errors);
            engine.Backward(model.Parameters, grad, ws, data.Steps, batch, 1f);
        }

        long start = GC.GetAllocatedBytesForCurrentThread();
        engine.Forward(model.Parameters, ws, data.Steps, batch);
        long afterForward = GC.GetAllocatedBytesForCurrentThread();
        engine.Loss(ws, data.Steps, batch, cost, errors);
        long afterLoss = GC.GetAllocatedBytesForCurrentThread();
        engine.Backward(model.Parameters, grad, ws, data.Steps, batch, 1f);
        long afterBackward = GC.GetAllocatedBytesForCurrentThread();

        Assert.True(afterForward - start == 0, $"{name}: Forward allocated {afterForward - start} bytes");
        Assert.True(afterLoss - afterForward == 0, $"{name}: Loss allocated {afterLoss - afterForward} bytes");
        Assert.True(afterBackward - afterLoss == 0, $"{name}: Backward allocated {afterBackward - afterLoss} bytes");
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void A_shorter_batch_reuses_the_workspace_without_allocating()
    {
        var task = new CopyTask();
        var model = NeuralTuringMachine.Create(new NtmConfig(), 2);
        var ws = model.Workspace(0);
        var grad = new float[model.Layout.Count];
        var cost = new double[2];
        var errors = new double[2];
        SequenceBatch longBatch = task.Make(new Rng(1), 2, 12), shortBatch = task.Make(new Rng(2), 2, 3);
        foreach (SequenceBatch b in new[] { longBatch, shortBatch })
        {
            NeuralTuringMachine.Load(b, ws, 0, 2);
            model.Engine.Forward(model.Parameters, ws, b.Steps, 2);
            model.Engine.Backward(model.Parameters, grad, ws, b.Steps, 2, 1f);
        }

        long start = GC.GetAllocatedBytesForCurrentThread();
        NeuralTuringMachine.Load(shortBatch, ws, 0, 2);
        model.Engine.Forward(model.Parameters, ws, shortBatch.Steps, 2);
        model.Engine.Loss(ws, shortBatch.Steps, 2, cost, errors);
        model.Engine.Backward(model.Parameters, grad, ws, shortBatch.Steps, 2, 1f);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - start);
    }
}
