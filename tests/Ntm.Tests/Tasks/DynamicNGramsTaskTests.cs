using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

public class DynamicNGramsTaskTests
{
    [Fact]
    public void Defaults_are_the_papers_settings()
    {
        var task = new DynamicNGramsTask();
        Assert.Equal("dynamic-ngrams", task.Name);
        Assert.Equal((200, 5, 0.5), (task.Length, task.Context, task.Beta));
        Assert.Equal((1, 1), (task.InputSize, task.OutputSize));
        Assert.Equal(199, task.Steps);
        Assert.Equal(1.0, DynamicNGramsTask.FairCoinCost);
    }

    [Fact]
    public void Sample_feeds_bit_t_and_targets_bit_t_plus_1_scoring_every_step()
    {
        var task = new DynamicNGramsTask();
        SequenceBatch batch = task.Sample(new Rng(4), 5);
        Assert.Equal((199, 5, 1, 1), (batch.Steps, batch.BatchSize, batch.InputSize, batch.OutputSize));
        batch.Validate();
        for (int b = 0; b < 5; b++)
        {
            for (int t = 0; t < batch.Steps; t++)
            {
                BatchAssert.Binary(batch.Input(t, b));
                BatchAssert.Binary(batch.Target(t, b));
                if (t + 1 < batch.Steps)
                    Assert.Equal(batch.Input(t + 1, b)[0], batch.Target(t, b)[0]);
            }
            // Steps 0..198 predict bits 1..199; all are scored, as by the optimal estimator.
            Assert.Equal(BatchAssert.Range(0, 198), BatchAssert.ScoredSteps(batch, b));
            Assert.Equal(199, batch.ScoredSteps(b));
        }
    }

    [Fact]
    public void Optimal_cost_matches_a_hand_worked_example_with_context_2()
    {
        // bits b0..b6 = 1 0 1 0 1 1 0, context 2, P(1) = (N1 + 1/2) / (N1 + N0 + 1):
        //   b1: no full context, a fair coin:                                cost 1
        //   b2 after (1,0): counts 0/0 -> P(1) = 0.5/1 = 1/2, b2 = 1: cost 1            then (1,0): N1=1
        //   b3 after (0,1): counts 0/0 -> P(0) = 1/2,            b3 = 0: cost 1            then (0,1): N0=1
        //   b4 after (1,0): N1=1, N0=0 -> P(1) = 1.5/2 = 3/4,    b4 = 1: cost log2(4/3)    then (1,0): N1=2
        //   b5 after (0,1): N1=0, N0=1 -> P(1) = 0.5/2 = 1/4,    b5 = 1: cost 2
        //   b6 after (1,1): counts 0/0 -> P(0) = 1/2,            b6 = 0: cost 1
        // total = 6 + log2(4/3) = 8 - log2(3) = 6.41503749927884
        float[] bits = [1, 0, 1, 0, 1, 1, 0];
        Assert.Equal(8 - Math.Log2(3), DynamicNGramsTask.OptimalCostBits(bits, context: 2), 12);
        Assert.Equal(6.41503749927884, DynamicNGramsTask.OptimalCostBits(bits, context: 2), 12);
    }

    [Fact]
    public void Optimal_cost_matches_a_hand_worked_example_with_the_papers_context()
    {
        // Eight zeros, context 5: b1..b4 are fair coins, 1 bit each (4 bits);
        // b5, b6, b7 have a full context, always (0,0,0,0,0):
        //   b5: counts 0/0 -> P(0) = 1/2,           cost 1
        //   b6: N0=1      -> P(0) = 1.5/2 = 3/4,    cost log2(4/3) = 0.415037...
        //   b7: N0=2      -> P(0) = 2.5/3 = 5/6,    cost log2(6/5) = 0.263034...
        // total = 4 + 1 + log2(4/3) + log2(6/5) = 5 + log2(8/5) = 5.67807190511264
        float[] bits = new float[8];
        Assert.Equal(5.67807190511264, DynamicNGramsTask.OptimalCostBits(bits), 12);
        Assert.Equal(0, DynamicNGramsTask.OptimalCostBits(new float[1]));   // nothing is predicted
        Assert.Equal(4, DynamicNGramsTask.OptimalCostBits(new float[5]));   // b1..b4: fair coins
        Assert.Equal(5, DynamicNGramsTask.OptimalCostBits(new float[6]), 12);
        Assert.Throws<MalformedDataException>(() => DynamicNGramsTask.OptimalCostBits([0, 1, 0.5f, 1, 0, 1]));
        Assert.Throws<InvalidConfigurationException>(() => DynamicNGramsTask.OptimalCostBits(bits, context: 0));
    }

    [Fact]
    public void Batch_optimal_cost_equals_the_cost_of_each_whole_sequence()
    {
        var task = new DynamicNGramsTask();
        SequenceBatch batch = task.Sample(new Rng(8), 4);
        double[] costs = task.OptimalCost(batch);
        Assert.Equal(4, costs.Length);
        for (int b = 0; b < 4; b++)
        {
            // The sequence is the inputs b_0..b_198 followed by the last target b_199.
            float[] bits = [.. Enumerable.Range(0, batch.Steps).Select(t => batch.Input(t, b)[0]), batch.Target(batch.Steps - 1, b)[0]];
            Assert.Equal(200, bits.Length);
            Assert.Equal(DynamicNGramsTask.OptimalCostBits(bits), costs[b], 9);
        }
    }

    [Fact]
    public void Batch_optimal_cost_weights_each_step_by_the_mask()
    {
        var task = new DynamicNGramsTask();
        SequenceBatch batch = task.Sample(new Rng(8), 1);
        double all = task.OptimalCost(batch)[0];
        batch.MaskAt(0, 0) = 0f;   // a fair-coin step: exactly 1 bit less
        Assert.Equal(all - 1, task.OptimalCost(batch)[0], 9);
        Array.Clear(batch.Mask);
        Assert.Equal(0, task.OptimalCost(batch)[0]);
    }

    [Fact]
    public void Batch_optimal_cost_rejects_batches_of_another_layout()
    {
        Assert.Throws<MalformedDataException>(() => DynamicNGramsTask.OptimalCostBits(new SequenceBatch(10, 1, 2, 1)));
        var batch = new SequenceBatch(10, 1, 1, 1);
        batch.Input(3, 0)[0] = 0.5f;
        Assert.Throws<MalformedDataException>(() => DynamicNGramsTask.OptimalCostBits(batch));
    }

    [Fact]
    public void Optimal_cost_per_sequence_is_near_the_papers_133_bits()
    {
        // 400 sequences; over 10,000 the mean is about 132.4 bits (standard deviation about 36).
        var task = new DynamicNGramsTask();
        var rng = new Rng(2014);
        double total = 0;
        int count = 0;
        for (int i = 0; i < 10; i++)
        {
            foreach (double c in task.OptimalCost(task.Sample(rng, 40)))
            {
                total += c;
                count++;
            }
        }
        double mean = total / count;
        Assert.InRange(mean, 120, 145);
    }

    [Fact]
    public void A_sharper_prior_gives_more_predictable_sequences()
    {
        // Beta(0.05, 0.05) puts the probabilities near 0 or 1: far below the paper's cost.
        var task = new DynamicNGramsTask(beta: 0.05);
        double mean = task.OptimalCost(task.Sample(new Rng(1), 100)).Average();
        Assert.InRange(mean, 0, 80);
    }

    [Fact]
    public void Same_seed_gives_the_same_batches()
    {
        var task = new DynamicNGramsTask();
        BatchAssert.Identical(task.Sample(new Rng(3), 3), task.Sample(new Rng(3), 3));
        Assert.NotEqual(task.Sample(new Rng(3), 3).Inputs, task.Sample(new Rng(4), 3).Inputs);
    }

    [Theory]
    [InlineData(200, 0, 0.5)]
    [InlineData(200, 21, 0.5)]
    [InlineData(5, 5, 0.5)]
    [InlineData(200, 5, 0.0)]
    [InlineData(200, 5, -1.0)]
    [InlineData(200, 5, double.NaN)]
    [InlineData(200, 5, double.PositiveInfinity)]
    public void Invalid_settings_are_rejected(int length, int context, double beta)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => new DynamicNGramsTask(length, context, beta));
        Assert.StartsWith("dynamic-ngrams:", e.Message);
    }
}
