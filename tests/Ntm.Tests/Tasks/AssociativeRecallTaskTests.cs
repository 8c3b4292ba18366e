using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

public class AssociativeRecallTaskTests
{
    [Fact]
    public void Defaults_are_the_papers_settings()
    {
        var task = new AssociativeRecallTask();
        Assert.Equal("associative-recall", task.Name);
        Assert.Equal((6, 3, 2, 6), (task.Bits, task.ItemLength, task.MinItems, task.MaxItems));
        Assert.Equal(8, task.InputSize);   // 6 bits + item delimiter + query delimiter
        Assert.Equal(6, task.OutputSize);
        Assert.Equal((6, 7), (task.ItemDelimiterChannel, task.QueryDelimiterChannel));
        Assert.Equal((5 + 2) * (3 + 1), task.StepCount(5));
    }

    /// <summary>The items of sequence b, read back from the input (each 3 vectors of 6 bits, flattened).</summary>
    private static float[][] Items(SequenceBatch batch, int b, int items) =>
        Enumerable.Range(0, items)
            .Select(i => Enumerable.Range(1, 3).SelectMany(v => batch.Input(i * 4 + v, b)[..6].ToArray()).ToArray())
            .ToArray();

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(20)]   // generalisation: more items than in training
    public void Make_lays_out_items_query_and_answer(int items)
    {
        var task = new AssociativeRecallTask();
        const int batchSize = 6;
        SequenceBatch batch = task.Make(new Rng(3), batchSize, items);
        int steps = (items + 2) * 4;
        Assert.Equal(steps, batch.Steps);
        batch.Validate();
        int queryStart = items * 4;
        for (int b = 0; b < batchSize; b++)
        {
            // Delimiters: an item delimiter before every item, a query delimiter around the query.
            for (int t = 0; t < steps; t++)
            {
                Span<float> x = batch.Input(t, b);
                bool itemDelimiter = t < queryStart && t % 4 == 0;
                bool queryDelimiter = t == queryStart || t == queryStart + 4;
                Assert.Equal(itemDelimiter ? 1f : 0f, x[6]);
                Assert.Equal(queryDelimiter ? 1f : 0f, x[7]);
                if (itemDelimiter || queryDelimiter || t > queryStart + 4)
                    BatchAssert.Zero(x[..6]);
                else
                    BatchAssert.Binary(x[..6]);
            }

            float[][] list = Items(batch, b, items);
            for (int i = 0; i < items; i++)
                for (int e = 0; e < i; e++)
                    Assert.NotEqual(list[e], list[i]);   // items are distinct

            float[] query = Enumerable.Range(1, 3).SelectMany(v => batch.Input(queryStart + v, b)[..6].ToArray()).ToArray();
            int q = Array.FindIndex(list, item => item.SequenceEqual(query));
            Assert.InRange(q, 0, items - 2);   // the query is one of the items, never the last

            float[] answer = Enumerable.Range(0, 3).SelectMany(v => batch.Target(queryStart + 5 + v, b).ToArray()).ToArray();
            Assert.Equal(list[q + 1], answer);
            for (int t = 0; t < queryStart + 5; t++)
                BatchAssert.Zero(batch.Target(t, b));
            Assert.Equal(BatchAssert.Range(queryStart + 5, queryStart + 7), BatchAssert.ScoredSteps(batch, b));
        }
    }

    [Fact]
    public void Sample_covers_the_item_counts_and_every_query_position()
    {
        var task = new AssociativeRecallTask();
        var rng = new Rng(21);
        var counts = new HashSet<int>();
        var queries = new HashSet<int>();
        for (int i = 0; i < 300; i++)
        {
            SequenceBatch batch = task.Sample(rng, 2);
            Assert.Equal(0, batch.Steps % 4);
            int items = batch.Steps / 4 - 2;
            counts.Add(items);
            if (items != 4) continue;
            float[][] list = Items(batch, 0, items);
            float[] query = Enumerable.Range(1, 3).SelectMany(v => batch.Input(items * 4 + v, 0)[..6].ToArray()).ToArray();
            queries.Add(Array.FindIndex(list, item => item.SequenceEqual(query)));
        }
        Assert.Equal(BatchAssert.Range(2, 6), counts.Order().ToArray());
        Assert.Equal([0, 1, 2], queries.Order().ToArray());
    }

    [Fact]
    public void Same_seed_gives_the_same_batches()
    {
        var task = new AssociativeRecallTask();
        BatchAssert.Identical(task.Sample(new Rng(9), 3), task.Sample(new Rng(9), 3));
        Assert.NotEqual(task.Make(new Rng(9), 3, 4).Inputs, task.Make(new Rng(10), 3, 4).Inputs);
    }

    [Theory]
    [InlineData(0, 3, 2, 6)]
    [InlineData(6, 0, 2, 6)]
    [InlineData(6, 3, 1, 6)]
    [InlineData(6, 3, 5, 4)]
    [InlineData(1, 2, 2, 3)]   // 2 bits per item: at most 2 distinct items are allowed
    public void Invalid_settings_are_rejected(int bits, int itemLength, int minItems, int maxItems)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => new AssociativeRecallTask(bits, itemLength, minItems, maxItems));
        Assert.StartsWith("associative-recall:", e.Message);
    }

    [Fact]
    public void Invalid_fixed_item_counts_are_rejected()
    {
        var task = new AssociativeRecallTask(bits: 1, itemLength: 3, maxItems: 4);   // 8 possible items, at most 4 used
        Assert.Throws<InvalidConfigurationException>(() => task.Make(new Rng(1), 1, 1));
        Assert.Throws<InvalidConfigurationException>(() => task.Make(new Rng(1), 1, 5));
        Assert.Equal(24, task.Make(new Rng(1), 1, 4).Steps);
    }
}
