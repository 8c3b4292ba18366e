using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

public sealed class EvaluationTests
{
    private static NeuralTuringMachine Machine(ulong seed = 2) =>
        NeuralTuringMachine.Create(new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 6, MemoryWidth = 4 }, seed);

    [Fact]
    public void Means_are_taken_over_the_sequences_in_the_order_the_batches_were_drawn()
    {
        var task = new CopyTask(bits: 4, maxLength: 5);
        var model = Machine();

        EvaluationResult r = Evaluation.Run(model, task.Sample, 12, 4, new Rng(9));

        // What a training report has always computed: batches drawn one after another, then the plain mean.
        var rng = new Rng(9);
        var cost = new List<double>();
        var errors = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            BatchScores s = model.Evaluate(task.Sample(rng, 4));
            cost.AddRange(s.CostBits);
            errors.AddRange(s.BitErrors);
        }
        Assert.Equal(cost, r.SequenceCostBits);
        Assert.Equal(errors, r.SequenceBitErrors);
        Assert.Equal(new BatchScores([.. cost], [.. errors]).MeanCostBits, r.CostBits);
        Assert.Equal(errors.Average(), r.BitErrors);
        Assert.Equal(12, r.Sequences);
    }

    [Fact]
    public void The_last_batch_takes_what_is_left()
    {
        var task = new CopyTask(bits: 4, maxLength: 5);
        var sizes = new List<int>();
        EvaluationResult r = Evaluation.Run(Machine(), (rng, n) => { sizes.Add(n); return task.Sample(rng, n); }, 7, 3, new Rng(1));
        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(7, r.Sequences);
    }

    [Fact]
    public void Exact_sequences_scored_bits_and_the_bit_error_rate_are_tallied()
    {
        var task = new CopyTask(bits: 4, maxLength: 5);
        var model = Machine(4);

        EvaluationResult r = Evaluation.Run(model, (rng, n) => task.Make(rng, n, 3), 10, 4, new Rng(3));

        // Every copy sequence of length 3 scores 3 steps of 4 bits.
        Assert.Equal(10 * 3 * 4, r.ScoredBits);
        Assert.Equal(r.SequenceBitErrors.Sum(), r.WrongBits);
        Assert.Equal(r.WrongBits / r.ScoredBits, r.BitErrorRate);
        Assert.Equal(r.SequenceBitErrors.Count(e => e == 0) / 10.0, r.ExactFraction);
        Assert.InRange(r.BitErrorRate, 0, 1);
    }

    [Fact]
    public void A_perfect_score_is_all_exact()
    {
        // Every target zero and every output logit -50: nothing is wrong.
        var task = new CopyTask(bits: 4, maxLength: 2);
        var model = Machine(5);
        var zeros = (Func<Rng, int, SequenceBatch>)((rng, n) =>
        {
            SequenceBatch b = task.Make(rng, n, 2);
            Array.Clear(b.Targets);
            return b;
        });
        ParameterTensor weight = model.Layout["output.weight"], bias = model.Layout["output.bias"];
        Array.Fill(model.Parameters, 0f, weight.Offset, weight.Length);
        Array.Fill(model.Parameters, -50f, bias.Offset, bias.Length);
        EvaluationResult r = Evaluation.Run(model, zeros, 5, 2, new Rng(1));
        Assert.Equal(1.0, r.ExactFraction);
        Assert.Equal(0, r.WrongBits);
        Assert.Equal(0, r.BitErrorRate);
    }

    [Fact]
    public void Bad_counts_and_batches_are_refused()
    {
        var task = new CopyTask(bits: 4, maxLength: 5);
        Assert.Throws<InvalidConfigurationException>(() => Evaluation.Run(Machine(), task.Sample, 0, 4, new Rng(1)));
        Assert.Throws<InvalidConfigurationException>(() => Evaluation.Run(Machine(), task.Sample, 4, 0, new Rng(1)));
        var e = Assert.Throws<MalformedDataException>(() => Evaluation.Run(Machine(), (rng, n) => task.Sample(rng, n + 1), 4, 2, new Rng(1)));
        Assert.Contains("got 3", e.Message);
    }
}
