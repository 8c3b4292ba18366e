using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

public class PrioritySortTaskTests
{
    [Fact]
    public void Defaults_are_the_papers_settings()
    {
        var task = new PrioritySortTask();
        Assert.Equal("priority-sort", task.Name);
        Assert.Equal((8, 20, 16), (task.Bits, task.Inputs, task.Outputs));
        Assert.Equal(10, task.InputSize);   // 8 bits + priority + delimiter
        Assert.Equal(8, task.OutputSize);
        Assert.Equal((8, 9), (task.PriorityChannel, task.DelimiterChannel));
    }

    [Theory]
    [InlineData(20, 16)]
    [InlineData(40, 16)]   // generalisation: more inputs
    [InlineData(5, 5)]
    public void Outputs_are_the_highest_priority_inputs_highest_first(int inputs, int outputs)
    {
        var task = new PrioritySortTask();
        const int batchSize = 5;
        SequenceBatch batch = task.Make(new Rng(12), batchSize, inputs, outputs);
        Assert.Equal(inputs + 1 + outputs, batch.Steps);
        batch.Validate();
        for (int b = 0; b < batchSize; b++)
        {
            var priorities = new float[inputs];
            for (int i = 0; i < inputs; i++)
            {
                Span<float> x = batch.Input(i, b);
                BatchAssert.Binary(x[..8]);
                priorities[i] = x[8];
                Assert.InRange(priorities[i], -1f, 1f);
                Assert.Equal(0f, x[9]);
            }
            Span<float> delimiter = batch.Input(inputs, b);
            BatchAssert.Zero(delimiter[..9]);
            Assert.Equal(1f, delimiter[9]);
            for (int t = inputs + 1; t < batch.Steps; t++)
                BatchAssert.Zero(batch.Input(t, b));

            // Reference: sort the indices by priority, highest first.
            int[] expected = Enumerable.Range(0, inputs).OrderByDescending(i => priorities[i]).Take(outputs).ToArray();
            for (int o = 0; o < outputs; o++)
                Assert.Equal(batch.Input(expected[o], b)[..8].ToArray(), batch.Target(inputs + 1 + o, b).ToArray());
            for (int t = 0; t <= inputs; t++)
                BatchAssert.Zero(batch.Target(t, b));
            // Every output has a priority at least that of the next and of every input left out.
            float lowestOut = priorities[expected[^1]];
            for (int o = 1; o < outputs; o++)
                Assert.True(priorities[expected[o - 1]] >= priorities[expected[o]]);
            foreach (int i in Enumerable.Range(0, inputs).Except(expected))
                Assert.True(priorities[i] <= lowestOut);

            Assert.Equal(BatchAssert.Range(inputs + 1, inputs + outputs), BatchAssert.ScoredSteps(batch, b));
        }
    }

    [Fact]
    public void Priorities_spread_over_minus_one_to_one()
    {
        SequenceBatch batch = new PrioritySortTask().Sample(new Rng(13), 50);
        var priorities = Enumerable.Range(0, 20).SelectMany(t => Enumerable.Range(0, 50).Select(b => batch.Input(t, b)[8])).ToArray();
        Assert.InRange(priorities.Average(), -0.1, 0.1);
        Assert.True(priorities.Min() < -0.95 && priorities.Max() > 0.95);
        Assert.Equal(priorities.Length, priorities.Distinct().Count());
    }

    [Fact]
    public void Same_seed_gives_the_same_batches()
    {
        var task = new PrioritySortTask();
        BatchAssert.Identical(task.Sample(new Rng(14), 3), task.Sample(new Rng(14), 3));
        Assert.NotEqual(task.Sample(new Rng(14), 3).Inputs, task.Sample(new Rng(15), 3).Inputs);
    }

    [Theory]
    [InlineData(0, 20, 16)]
    [InlineData(8, 0, 0)]
    [InlineData(8, 20, 0)]
    [InlineData(8, 16, 20)]
    public void Invalid_settings_are_rejected(int bits, int inputs, int outputs)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => new PrioritySortTask(bits, inputs, outputs));
        Assert.StartsWith("priority-sort:", e.Message);
        Assert.Throws<InvalidConfigurationException>(() => new PrioritySortTask().Make(new Rng(1), 1, 10, 11));
    }
}
