using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

public class RepeatCopyTaskTests
{
    [Fact]
    public void Defaults_are_the_papers_settings()
    {
        var task = new RepeatCopyTask();
        Assert.Equal("repeat-copy", task.Name);
        Assert.Equal((8, 1, 10, 1, 10), (task.Bits, task.MinLength, task.MaxLength, task.MinRepeats, task.MaxRepeats));
        Assert.Equal(10, task.InputSize);   // 8 bits + delimiter + repeat count
        Assert.Equal(9, task.OutputSize);   // 8 bits + end marker
        Assert.Equal((8, 9, 8), (task.DelimiterChannel, task.RepeatChannel, task.EndMarkerChannel));
    }

    [Fact]
    public void Repeat_count_is_normalised_over_the_training_counts()
    {
        var task = new RepeatCopyTask();
        // Counts 1..10: mean = (1 + 10) / 2 = 5.5, var = ((10 - 1 + 1)^2 - 1) / 12 = 99 / 12 = 8.25.
        Assert.Equal(5.5, task.RepeatMean);
        Assert.Equal(Math.Sqrt(8.25), task.RepeatStdDev, 12);
        Assert.Equal((float)(-2.5 / Math.Sqrt(8.25)), task.NormaliseRepeats(3));
        Assert.Equal((float)(14.5 / Math.Sqrt(8.25)), task.NormaliseRepeats(20));   // outside training: same formula

        // The formula is exact: over the training counts the values have mean 0 and variance 1.
        double[] values = BatchAssert.Range(1, 10).Select(r => (double)task.NormaliseRepeats(r)).ToArray();
        Assert.Equal(0, values.Average(), 6);
        Assert.Equal(1, values.Select(v => v * v).Average(), 6);

        var single = new RepeatCopyTask(minRepeats: 3, maxRepeats: 3);
        Assert.Equal(0f, single.NormaliseRepeats(3));
        Assert.Equal(2f, single.NormaliseRepeats(5));
    }

    [Fact]
    public void Make_lays_out_sequence_delimiter_copies_and_end_marker()
    {
        var task = new RepeatCopyTask();
        const int length = 4, repeats = 3, batchSize = 3;
        SequenceBatch batch = task.Make(new Rng(7), batchSize, length, repeats);
        Assert.Equal(4 + 1 + 4 * 3 + 1, batch.Steps);
        Assert.Equal(RepeatCopyTask.StepCount(length, repeats), batch.Steps);
        Assert.Equal((10, 9), (batch.InputSize, batch.OutputSize));
        batch.Validate();
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < length; t++)
            {
                BatchAssert.Binary(batch.Input(t, b)[..8]);
                BatchAssert.Zero(batch.Input(t, b)[8..]);
            }
            Span<float> delimiter = batch.Input(length, b);
            BatchAssert.Zero(delimiter[..8]);
            Assert.Equal(1f, delimiter[8]);
            Assert.Equal(task.NormaliseRepeats(repeats), delimiter[9]);
            for (int t = length + 1; t < batch.Steps; t++)
                BatchAssert.Zero(batch.Input(t, b));

            for (int t = 0; t <= length; t++)
                BatchAssert.Zero(batch.Target(t, b));
            for (int r = 0; r < repeats; r++)
                for (int t = 0; t < length; t++)
                {
                    Span<float> y = batch.Target(length + 1 + r * length + t, b);
                    Assert.Equal(batch.Input(t, b)[..8].ToArray(), y[..8].ToArray());
                    Assert.Equal(0f, y[8]);
                }
            Span<float> end = batch.Target(batch.Steps - 1, b);
            BatchAssert.Zero(end[..8]);
            Assert.Equal(1f, end[8]);

            Assert.Equal(BatchAssert.Range(length + 1, batch.Steps - 1), BatchAssert.ScoredSteps(batch, b));
        }
    }

    [Fact]
    public void Sample_draws_length_and_count_from_the_training_ranges()
    {
        var task = new RepeatCopyTask(bits: 3, minLength: 2, maxLength: 4, minRepeats: 1, maxRepeats: 3);
        var rng = new Rng(11);
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < 200; i++)
        {
            SequenceBatch batch = task.Sample(rng, 2);
            // The delimiter step reveals the length, the step count then the repeat count.
            int length = Enumerable.Range(0, batch.Steps).First(t => batch.Input(t, 0)[task.DelimiterChannel] == 1f);
            Assert.Equal(1f, batch.Input(length, 1)[task.DelimiterChannel]);
            int repeats = (batch.Steps - length - 2) / length;
            Assert.Equal(batch.Steps, RepeatCopyTask.StepCount(length, repeats));
            Assert.Equal(task.NormaliseRepeats(repeats), batch.Input(length, 0)[task.RepeatChannel]);
            seen.Add((length, repeats));
        }
        Assert.Equal(9, seen.Count);   // every (length, count) of {2,3,4} x {1,2,3}
    }

    [Fact]
    public void Same_seed_gives_the_same_batches()
    {
        var task = new RepeatCopyTask();
        BatchAssert.Identical(task.Sample(new Rng(5), 4), task.Sample(new Rng(5), 4));
        Assert.NotEqual(task.Sample(new Rng(5), 4).Inputs, task.Sample(new Rng(6), 4).Inputs);
    }

    [Theory]
    [InlineData(0, 1, 10, 1, 10)]
    [InlineData(8, 0, 10, 1, 10)]
    [InlineData(8, 5, 4, 1, 10)]
    [InlineData(8, 1, 10, 0, 10)]
    [InlineData(8, 1, 10, 6, 5)]
    public void Invalid_settings_are_rejected(int bits, int minLength, int maxLength, int minRepeats, int maxRepeats)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => new RepeatCopyTask(bits, minLength, maxLength, minRepeats, maxRepeats));
        Assert.StartsWith("repeat-copy:", e.Message);
    }

    [Fact]
    public void Invalid_fixed_shapes_are_rejected()
    {
        var task = new RepeatCopyTask();
        Assert.Throws<InvalidConfigurationException>(() => task.Make(new Rng(1), 1, 0, 3));
        Assert.Throws<InvalidConfigurationException>(() => task.Make(new Rng(1), 1, 3, 0));
        Assert.Throws<InvalidConfigurationException>(() => task.Make(new Rng(1), 1, 100_000, 100_000));
    }
}
