using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// What a machine scored on a set of sequences: means per sequence, the sequences' own numbers in the
/// order they were drawn, and for a task with a known floor the optimal predictor's cost on the same
/// sequences.
/// </summary>
public sealed class EvaluationResult
{
    internal EvaluationResult(double[] costBits, double[] bitErrors, long scoredBits, double? optimalCostBits, double? gapStandardErrorBits)
    {
        SequenceCostBits = Array.AsReadOnly(costBits);
        SequenceBitErrors = Array.AsReadOnly(bitErrors);
        ScoredBits = scoredBits;
        OptimalCostBits = optimalCostBits;
        GapStandardErrorBits = gapStandardErrorBits;
        CostBits = costBits.Average();
        BitErrors = bitErrors.Average();
        int exact = 0;
        double wrong = 0;
        foreach (double e in bitErrors)
        {
            if (e == 0) exact++;
            wrong += e;
        }
        ExactSequences = exact;
        ExactFraction = (double)exact / bitErrors.Length;
        WrongBits = wrong;
    }

    /// <summary>Sequences scored.</summary>
    public int Sequences => SequenceCostBits.Count;

    /// <summary>Mean cost per sequence in bits (the mean of <see cref="SequenceCostBits"/>, summed in order).</summary>
    public double CostBits { get; }

    /// <summary>Mean bit errors per sequence (the mean of <see cref="SequenceBitErrors"/>, summed in order).</summary>
    public double BitErrors { get; }

    /// <summary>
    /// For a task with a known floor (<see cref="IOptimalCostTask"/>): the optimal predictor's mean cost per
    /// sequence on the same sequences; null otherwise.
    /// </summary>
    public double? OptimalCostBits { get; }

    /// <summary>The mean cost above the optimal predictor's (<see cref="CostBits"/> - <see cref="OptimalCostBits"/>), where the task has one.</summary>
    public double? GapBits => OptimalCostBits is { } floor ? CostBits - floor : null;

    /// <summary>
    /// With <see cref="OptimalCostBits"/>: the standard error of the mean gap (cost minus optimal cost, per
    /// sequence), so a gap reads as "2.0 ± 0.1 bits"; NaN for a single sequence.
    /// </summary>
    public double? GapStandardErrorBits { get; }

    /// <summary>The sequences with no wrong bit.</summary>
    public int ExactSequences { get; }

    /// <summary>The fraction of sequences with no wrong bit.</summary>
    public double ExactFraction { get; }

    /// <summary>Target bits scored: the output width times the steps with a nonzero mask, over every sequence.</summary>
    public long ScoredBits { get; }

    /// <summary>Wrong bits over every sequence (the sum of <see cref="SequenceBitErrors"/>).</summary>
    public double WrongBits { get; }

    /// <summary>Wrong bits per scored bit (<see cref="WrongBits"/> / <see cref="ScoredBits"/>); 0 when nothing was scored.</summary>
    public double BitErrorRate => ScoredBits > 0 ? WrongBits / ScoredBits : 0;

    /// <summary>Each sequence's cost in bits, in the order the sequences were drawn.</summary>
    public IReadOnlyList<double> SequenceCostBits { get; }

    /// <summary>Each sequence's bit errors, in the order the sequences were drawn.</summary>
    public IReadOnlyList<double> SequenceBitErrors { get; }
}

/// <summary>
/// Scores a trained machine on fresh sequences: the one evaluation behind training reports,
/// <c>ntm eval</c>, <c>ntm generalize</c> and <c>ntm report</c>.
/// </summary>
public static class Evaluation
{
    /// <summary>
    /// Runs <paramref name="count"/> sequences made by <paramref name="make"/> from <paramref name="rng"/>, in batches of
    /// <paramref name="batchSize"/> drawn one after another (the last batch takes what is left), through
    /// <see cref="NeuralTuringMachine.Evaluate"/>. With <paramref name="floor"/>, also scores the optimal predictor on
    /// the same sequences. The same arguments and seed always give the same numbers.
    /// </summary>
    /// <param name="model">The machine.</param>
    /// <param name="make">Makes a batch of the given size from the random stream, e.g. <see cref="ISequenceTask.Sample"/>.</param>
    /// <param name="count">Sequences to score, at least 1.</param>
    /// <param name="batchSize">Sequences run at once, at least 1 (bounds the memory a long sequence needs).</param>
    /// <param name="rng">The random stream the batches are drawn from.</param>
    /// <param name="floor">A task with a known floor whose optimal cost to report beside the machine's, or null.</param>
    /// <param name="observe">Hears every batch once it is scored, with the index of its first sequence in the stream (e.g. to keep the inputs of the sequences it got wrong), or null.</param>
    /// <exception cref="InvalidConfigurationException"><paramref name="count"/> or <paramref name="batchSize"/> is below 1.</exception>
    /// <exception cref="MalformedDataException"><paramref name="make"/> made a batch of another size, or one that does not fit the machine.</exception>
    public static EvaluationResult Run(NeuralTuringMachine model, Func<Rng, int, SequenceBatch> make, int count, int batchSize, Rng rng,
        IOptimalCostTask? floor = null, Action<int, SequenceBatch, BatchScores>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 1) throw new InvalidConfigurationException($"Evaluate at least 1 sequence, got {count}.");
        if (batchSize < 1) throw new InvalidConfigurationException($"An evaluation batch needs at least 1 sequence, got {batchSize}.");
        var cost = new double[count];
        var errors = new double[count];
        long scoredBits = 0;
        double optimal = 0, gapSum = 0, gapSquares = 0;
        for (int done = 0; done < count;)
        {
            int n = Math.Min(batchSize, count - done);
            SequenceBatch batch = make(rng, n);
            if (batch.BatchSize != n)
                throw new MalformedDataException($"Asked for a batch of {n} sequences to evaluate, got {batch.BatchSize}.");
            BatchScores s = model.Evaluate(batch);
            observe?.Invoke(done, batch, s);
            s.CostBits.CopyTo(cost, done);
            s.BitErrors.CopyTo(errors, done);
            for (int b = 0; b < n; b++) scoredBits += (long)batch.ScoredSteps(b) * batch.OutputSize;
            if (floor is not null)
            {
                double[] best = floor.OptimalCost(batch);
                optimal += best.Sum();   // batch by batch, as training reports have always summed it
                for (int i = 0; i < n; i++)
                {
                    double gap = s.CostBits[i] - best[i];
                    gapSum += gap;
                    gapSquares += gap * gap;
                }
            }
            done += n;
        }
        if (floor is null) return new EvaluationResult(cost, errors, scoredBits, null, null);
        double mean = gapSum / count;
        double variance = count > 1 ? Math.Max(0, (gapSquares - count * mean * mean) / (count - 1)) : double.NaN;
        return new EvaluationResult(cost, errors, scoredBits, optimal / count, Math.Sqrt(variance / count));
    }

    /// <summary>
    /// How often two machines (e.g. a trained machine run soft and run with hard attention,
    /// <see cref="NeuralTuringMachine.WithAttention"/>) give the same thresholded outputs on the same
    /// <paramref name="count"/> fresh sequences: the fraction of scored output bits on the same side of
    /// 0.5, and the fraction of sequences on which every scored bit agrees.
    /// </summary>
    /// <exception cref="InvalidConfigurationException"><paramref name="count"/> or <paramref name="batchSize"/> is below 1.</exception>
    public static (double Bits, double Sequences) Agreement(NeuralTuringMachine a, NeuralTuringMachine b, Func<Rng, int, SequenceBatch> make,
        int count, int batchSize, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(make);
        if (count < 1 || batchSize < 1) throw new InvalidConfigurationException($"Compare at least 1 sequence in batches of at least 1, got {count} and {batchSize}.");
        long bits = 0, same = 0;
        int sequences = 0, identical = 0;
        for (int done = 0; done < count; done += batchSize)
        {
            SequenceBatch batch = make(rng, Math.Min(batchSize, count - done));
            float[] ya = a.Predict(batch), yb = b.Predict(batch);
            int n = batch.BatchSize, o = batch.OutputSize;
            for (int s = 0; s < n; s++)
            {
                bool all = true;
                for (int t = 0; t < batch.Steps; t++)
                {
                    if (batch.Mask[t * n + s] == 0) continue;
                    for (int j = 0; j < o; j++)
                    {
                        int k = (t * n + s) * o + j;
                        bits++;
                        if ((ya[k] > 0.5f) == (yb[k] > 0.5f)) same++;
                        else all = false;
                    }
                }
                sequences++;
                if (all) identical++;
            }
        }
        return (bits > 0 ? (double)same / bits : 1, (double)identical / sequences);
    }
}
