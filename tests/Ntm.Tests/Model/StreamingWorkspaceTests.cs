using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// A streaming workspace keeps two time slots of the memory-sized records; its forward pass must give
/// exactly the numbers of a full workspace, and it must refuse to run backward.
/// </summary>
public sealed class StreamingWorkspaceTests
{
    public static TheoryData<NtmConfig> Configs() => new()
    {
        new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 7, MemoryWidth = 3 },
        new NtmConfig { Controller = ControllerKind.FeedForward, InputSize = 5, OutputSize = 4, ControllerSize = 8, ControllerLayers = 2,
            MemoryRows = 6, MemoryWidth = 4, ReadHeads = 2, WriteHeads = 2, MemoryInit = MemoryInit.Learned },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Streaming_forward_gives_the_full_workspaces_logits_bit_for_bit(NtmConfig config)
    {
        var machine = NeuralTuringMachine.Create(config, seed: 4);
        SequenceBatch batch = new CopyTask(bits: 4, minLength: 9, maxLength: 9).Sample(new Rng(2), 3);   // 19 steps: slots wrap many times

        var full = machine.Workspace(0);
        NeuralTuringMachine.Load(batch, full, 0, batch.BatchSize);
        machine.Engine.Forward(machine.Parameters, full, batch.Steps, batch.BatchSize);
        var stream = machine.StreamingWorkspace;
        stream.RecordFocus = true;
        NeuralTuringMachine.Load(batch, stream, 0, batch.BatchSize);
        machine.Engine.Forward(machine.Parameters, stream, batch.Steps, batch.BatchSize);

        int logits = batch.Steps * batch.BatchSize * config.OutputSize;
        Assert.Equal(full.Logits.AsSpan(0, logits).ToArray(), stream.Logits.AsSpan(0, logits).ToArray());
        Assert.True(stream.W.Length < full.W.Length / 5, "the streaming workspace keeps two slots of weightings");

        // The focus recorded at the last step is that of the full workspace's last weightings.
        int n = config.MemoryRows, heads = config.Heads, t = batch.Steps - 1;
        for (int b = 0; b < batch.BatchSize; b++)
            for (int hd = 0; hd < heads; hd++)
            {
                float[] w = full.W.AsSpan(((t * batch.BatchSize + b) * heads + hd) * n, n).ToArray();
                int at = (t * batch.BatchSize + b) * heads + hd;
                Assert.Equal(w.Max(), stream.FocusWeight[at]);
                Assert.Equal(Array.IndexOf(w, w.Max()), stream.FocusRow[at]);
                Assert.Equal(-w.Where(x => x > 0).Sum(x => (double)x * Math.Log(x)), stream.FocusEntropy[at], 1e-5);
            }
    }

    [Fact]
    public void A_streaming_workspace_refuses_to_run_backward()
    {
        var config = new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 7, MemoryWidth = 3 };
        var machine = NeuralTuringMachine.Create(config, seed: 4);
        SequenceBatch batch = new CopyTask(bits: 4, minLength: 3, maxLength: 3).Sample(new Rng(2), 1);
        var ws = machine.StreamingWorkspace;
        NeuralTuringMachine.Load(batch, ws, 0, 1);
        machine.Engine.Forward(machine.Parameters, ws, batch.Steps, 1);
        Assert.Throws<InvalidOperationException>(() => machine.Engine.Backward(machine.Parameters, new float[machine.Layout.Count], ws, batch.Steps, 1, 1f));
    }
}
