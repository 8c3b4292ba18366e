using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Limits;

/// <summary>Running trained weights with a memory of another size (test-time memory size).</summary>
public sealed class MemoryResizeTests
{
    private static readonly NtmConfig Small = new() { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 12, MemoryWidth = 3 };

    [Fact]
    public void The_trained_size_is_the_same_machine_and_scores_bit_identically()
    {
        NeuralTuringMachine m = Fixture.CopyMachine();
        NeuralTuringMachine same = m.WithMemoryRows(m.Config.MemoryRows);
        Assert.Same(m, same);
        SequenceBatch batch = new CopyTask().Make(new Rng(3), 4, 30);
        Assert.Equal(m.Evaluate(batch).CostBits, same.Evaluate(batch).CostBits);
    }

    [Fact]
    public void A_larger_memory_keeps_every_trained_weight_and_starts_new_rows_at_weight_zero()
    {
        var m = NeuralTuringMachine.Create(Small, seed: 5);
        NeuralTuringMachine big = m.WithMemoryRows(40);
        Assert.Equal(40, big.Config.MemoryRows);
        Assert.Equal(m.Config with { MemoryRows = 40 }, big.Config);
        foreach (ParameterTensor t in m.Layout.Tensors.Where(t => t.Name != "init.weighting"))
            Assert.Equal(m.Parameters.AsSpan(t.Offset, t.Length).ToArray(), big.Parameters.AsSpan(big.Layout[t.Name].Offset, t.Length).ToArray());

        // The initial weighting: the trained rows' weights unchanged (up to the float32 rounding of the
        // softmax's sum, which adds its terms in another order over 40 rows), every new row exactly 0.
        for (int h = 0; h < Small.Heads; h++)
        {
            float[] before = Softmax(m.Parameters.AsSpan(m.Layout["init.weighting"].Offset + h * 12, 12));
            float[] after = Softmax(big.Parameters.AsSpan(big.Layout["init.weighting"].Offset + h * 40, 40));
            for (int i = 0; i < 12; i++) Assert.Equal(before[i], after[i], before[i] * 1e-6f);
            Assert.All(after.Skip(12), w => Assert.Equal(0f, w));
        }
    }

    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        float[] s = logits.ToArray();
        Activations.SoftmaxInPlace<float>(s);
        return s;
    }

    [Fact]
    public void The_copy_model_copies_past_its_trained_memory_with_more_rows()
    {
        // At 128 rows (trained) length 200 wraps the memory; at 256 rows it is copied without an error.
        NeuralTuringMachine m = Fixture.CopyMachine();
        SequenceBatch batch = new CopyTask().Make(new Rng(9), 5, 200);
        Assert.True(m.Evaluate(batch).MeanBitErrors > 50);
        Assert.Equal(0, m.WithMemoryRows(256).Evaluate(batch).MeanBitErrors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fewer_than_one_row_is_refused(int rows)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => NeuralTuringMachine.Create(Small, 1).WithMemoryRows(rows));
        Assert.Equal($"The memory must have at least 1 row, got {rows}.", e.Message);
    }

    [Fact]
    public void Fewer_rows_than_the_initial_weightings_reach_are_refused_and_enough_are_accepted()
    {
        // Spread every head's initial weighting evenly over rows 0-5: dropping any of them loses 1/6 of the weight.
        var m = NeuralTuringMachine.Create(Small, seed: 2);
        ParameterTensor t = m.Layout["init.weighting"];
        for (int h = 0; h < Small.Heads; h++)
            for (int i = 0; i < 12; i++) m.Parameters[t.Offset + h * 12 + i] = i < 6 ? 0f : -50f;
        var e = Assert.Throws<InvalidConfigurationException>(() => m.WithMemoryRows(5));
        Assert.Equal("With 5 memory rows the trained initial weightings would lose 1% or more of their weight: this model needs at least 6 rows.", e.Message);
        Assert.Equal(6, m.WithMemoryRows(6).Config.MemoryRows);
    }

    [Theory]
    [InlineData(MemoryInit.Learned)]
    [InlineData(MemoryInit.Random)]
    public void A_learned_or_random_initial_memory_cannot_change_size(MemoryInit init)
    {
        var m = NeuralTuringMachine.Create(Small with { MemoryInit = init }, seed: 2);
        var e = Assert.Throws<InvalidConfigurationException>(() => m.WithMemoryRows(20));
        Assert.Contains("cannot be carried to 20 rows", e.Message);
        Assert.Same(m, m.WithMemoryRows(12));
    }

    [Fact]
    public void A_model_without_memory_has_no_size_to_change()
    {
        var m = NeuralTuringMachine.Create(Small with { ReadHeads = 0, WriteHeads = 0 }, seed: 2);
        Assert.Throws<InvalidConfigurationException>(() => m.WithMemoryRows(20));
    }
}
