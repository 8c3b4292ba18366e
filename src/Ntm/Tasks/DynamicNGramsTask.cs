using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The dynamic n-grams task (paper, section 4.4): for every sequence a fresh table of (Context + 1)-gram
/// probabilities is drawn, one <c>P(next bit = 1 | previous Context bits)</c> per context from
/// <c>Beta(Beta, Beta)</c>; a bit sequence is sampled from the table; the machine must predict each
/// next bit. The paper uses 6-grams (Context = 5, 32 contexts), Beta(1/2, 1/2) and 200 bits.
/// <para>
/// Sampling: the first <see cref="Context"/> bits have no full context and are drawn uniformly
/// (fair coins); every later bit <c>b_i</c> is 1 with probability <c>table[context(i)]</c>, where
/// <c>context(i) = Σ_{j=0}^{Context-1} b_{i-Context+j} · 2^(Context-1-j)</c> (oldest bit most significant).
/// </para>
/// <para>
/// Layout: a sequence of <see cref="Length"/> bits <c>b_0 .. b_{Length-1}</c> takes
/// <c>Length - 1</c> steps. Input and output width are 1. At step t the input is <c>b_t</c> and the
/// target is <c>b_{t+1}</c>; every step makes a prediction and every step is scored (mask 1).
/// The predictions of <c>b_1 .. b_{Context-1}</c> (before the first full context) are of fair
/// coins, so their optimal cost is exactly 1 bit each.
/// <see cref="OptimalCostBits(ReadOnlySpan{float}, int, double)"/> is scored on the same
/// predictions, so its cost and the model's masked cost (in bits) are comparable. For the paper's
/// settings it averages about 132.4 bits per sequence (seeded estimate over 10,000 sequences; the
/// paper's figure puts it near 133). Every sequence of a batch has the same length, so the batch
/// needs no padding.
/// </para>
/// </summary>
public sealed class DynamicNGramsTask : SequenceTask, IOptimalCostTask
{
    /// <summary>The paper's sequence length: 200 bits (section 4.4).</summary>
    public const int PaperLength = 200;
    /// <summary>The paper's context: 5 previous bits, for 6-grams (section 4.4).</summary>
    public const int PaperContext = 5;
    /// <summary>The paper's Beta parameter: 1/2 (section 4.4).</summary>
    public const double PaperBeta = 0.5;

    /// <summary>The task's name, description and settings (defaults: the paper's).</summary>
    public static TaskDefinition Definition { get; } = new(
        "dynamic-ngrams",
        "Predict each next bit of a sequence drawn from a fresh random n-gram table (paper section 4.4).",
        [
            TaskSetting.Integer("length", PaperLength, "bits per sequence"),
            TaskSetting.Integer("context", PaperContext, "previous bits the next bit depends on"),
            TaskSetting.Number("beta", PaperBeta, "both parameters of the Beta distribution the table is drawn from"),
        ],
        s => new DynamicNGramsTask(s.Integer("length"), s.Integer("context"), s.Number("beta")));

    /// <summary>The largest supported context (the table then has 2^20 entries).</summary>
    public const int MaxContext = 20;

    /// <summary>The optimal cost in bits of predicting a bit before the first full context: those bits are fair coins.</summary>
    public const double FairCoinCost = 1.0;

    /// <summary>Number of bits per sequence; the paper uses 200.</summary>
    public int Length { get; }
    /// <summary>Number of previous bits the next bit depends on; the paper's 6-grams use 5.</summary>
    public int Context { get; }
    /// <summary>Both parameters of the Beta distribution the table is drawn from; the paper uses 1/2.</summary>
    public double Beta { get; }

    /// <summary>Creates the task; the defaults are the paper's settings.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is out of range.</exception>
    public DynamicNGramsTask(int length = PaperLength, int context = PaperContext, double beta = PaperBeta)
    {
        CheckContext(context, beta);
        if (length < context + 1)
            throw new InvalidConfigurationException(
                $"dynamic-ngrams: the length must exceed the context so that at least one bit is drawn from the table, got length {length} with context {context}.");
        Length = length;
        Context = context;
        Beta = beta;
    }

    /// <inheritdoc />
    public override string Name => Definition.Name;
    /// <inheritdoc />
    public override int InputSize => 1;
    /// <inheritdoc />
    public override int OutputSize => 1;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string>
    {
        ["length"] = TaskSetting.Format(Length),
        ["context"] = TaskSetting.Format(Context),
        ["beta"] = TaskSetting.Format(Beta),
    };

    /// <summary>
    /// The sequence length in bits, trained at <see cref="Length"/> only; at least <c>Context + 1</c>. The
    /// generalisation points stay the default (the training distribution, scored against the optimal estimator).
    /// </summary>
    public override TaskAxis Axis => new(TaskAxis.LengthName, "bits per sequence", Context + 1, Length, Length,
        (rng, batchSize, length) => WithLength(length).Sample(rng, batchSize), WithLength);

    /// <summary>The same task with sequences of <paramref name="length"/> bits.</summary>
    /// <exception cref="InvalidConfigurationException">The length does not exceed the context.</exception>
    public DynamicNGramsTask WithLength(int length) => new(length, Context, Beta);

    /// <summary>Number of steps of a sequence: <c>Length - 1</c>.</summary>
    public int Steps => Length - 1;

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var batch = new SequenceBatch(Steps, batchSize, InputSize, OutputSize);
        var table = new double[1 << Context];
        var bits = new float[Length];
        for (int b = 0; b < batchSize; b++)
        {
            for (int c = 0; c < table.Length; c++)
                table[c] = rng.NextBeta(Beta, Beta);
            SampleBits(rng, table, Context, bits);
            for (int t = 0; t < Steps; t++)
            {
                batch.Input(t, b)[0] = bits[t];
                batch.Target(t, b)[0] = bits[t + 1];
                batch.MaskAt(t, b) = 1f;
            }
        }
        return batch;
    }

    /// <summary>Fills <paramref name="bits"/>: the first <paramref name="context"/> by fair coins, the rest from the table.</summary>
    internal static void SampleBits(Rng rng, ReadOnlySpan<double> table, int context, Span<float> bits)
    {
        int mask = (1 << context) - 1, ctx = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            bool one = i < context ? rng.NextBit() : rng.NextDouble() < table[ctx];
            bits[i] = one ? 1f : 0f;
            ctx = ((ctx << 1) | (one ? 1 : 0)) & mask;
        }
    }

    /// <summary>
    /// The cost in bits of the Bayes-optimal predictor on one bit sequence, over the predictions of
    /// <c>b_1 .. b_{n-1}</c> (the ones the task scores): a bit <c>b_i</c> with <c>i &lt; context</c>
    /// has no full context and is a fair coin, cost <see cref="FairCoinCost"/> (1 bit); for
    /// <c>i ≥ context</c> the estimator predicts <c>P(1) = (N1 + prior) / (N1 + N0 + 2·prior)</c>
    /// from the counts N1, N0 of ones and zeros seen so far after the same context, adds
    /// <c>-log2 P(b_i)</c>, then counts <c>b_i</c>. With <c>prior = 1/2</c> this is the paper's
    /// <c>(N1 + 1/2) / (N1 + N0 + 1)</c>, the posterior predictive of a Beta(1/2, 1/2) table.
    /// </summary>
    /// <param name="bits">The whole sequence, each value 0 or 1.</param>
    /// <param name="context">Number of previous bits a bit depends on.</param>
    /// <param name="prior">The parameter of the symmetric Beta prior the table was drawn from.</param>
    /// <returns>The summed cost in bits over <c>bits.Length - 1</c> predictions (0 if there are none).</returns>
    /// <exception cref="MalformedDataException">A value is not 0 or 1.</exception>
    /// <exception cref="InvalidConfigurationException">The context or prior is out of range.</exception>
    public static double OptimalCostBits(ReadOnlySpan<float> bits, int context = 5, double prior = 0.5)
    {
        CheckContext(context, prior);
        var ones = new int[1 << context];
        var zeros = new int[1 << context];
        int mask = (1 << context) - 1, ctx = 0;
        double cost = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            bool one = ToBit(bits[i], i);
            if (i >= context)
                cost += Update(ones, zeros, ctx, one, prior);
            else if (i > 0)
                cost += FairCoinCost;
            ctx = ((ctx << 1) | (one ? 1 : 0)) & mask;
        }
        return cost;
    }

    /// <summary>
    /// The Bayes-optimal cost in bits of every sequence of a batch laid out as this task lays it out
    /// (input width 1 holding <c>b_t</c>, target width 1 holding <c>b_{t+1}</c>): at step t the
    /// estimator of <see cref="OptimalCostBits(ReadOnlySpan{float}, int, double)"/> predicts the
    /// target (a fair coin while <c>t &lt; context - 1</c>, else from the counts after the last
    /// <paramref name="context"/> inputs), and its cost <c>-log2 P(target)</c>, weighted by the mask,
    /// is added. For a batch from <see cref="Sample"/> this equals
    /// <see cref="OptimalCostBits(ReadOnlySpan{float}, int, double)"/> of each whole sequence.
    /// </summary>
    /// <returns>One cost per sequence, in bits.</returns>
    /// <exception cref="MalformedDataException">The batch is not one bit in and one bit out, or a value is not 0 or 1.</exception>
    /// <exception cref="InvalidConfigurationException">The context or prior is out of range.</exception>
    public static double[] OptimalCostBits(SequenceBatch batch, int context = 5, double prior = 0.5)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckContext(context, prior);
        if (batch.InputSize != 1 || batch.OutputSize != 1)
            throw new MalformedDataException(
                $"The n-gram estimator needs batches one bit wide in and out, got input width {batch.InputSize} and output width {batch.OutputSize}.");
        var costs = new double[batch.BatchSize];
        var ones = new int[1 << context];
        var zeros = new int[1 << context];
        int mask = (1 << context) - 1;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            Array.Clear(ones);
            Array.Clear(zeros);
            int ctx = 0;
            double cost = 0;
            for (int t = 0; t < batch.Steps; t++)
            {
                ctx = ((ctx << 1) | (ToBit(batch.Input(t, b)[0], t) ? 1 : 0)) & mask;
                bool next = ToBit(batch.Target(t, b)[0], t + 1);
                double c = t < context - 1 ? FairCoinCost : Update(ones, zeros, ctx, next, prior);
                cost += batch.MaskAt(t, b) * c;
            }
            costs[b] = cost;
        }
        return costs;
    }

    /// <summary>The Bayes-optimal cost in bits of every sequence of a batch, with this task's context and prior.</summary>
    /// <exception cref="MalformedDataException">The batch does not have this task's layout.</exception>
    public double[] OptimalCost(SequenceBatch batch) => OptimalCostBits(batch, Context, Beta);

    // The cost of seeing `one` after context `ctx`, then the count update.
    private static double Update(int[] ones, int[] zeros, int ctx, bool one, double prior)
    {
        double p1 = (ones[ctx] + prior) / (ones[ctx] + zeros[ctx] + 2 * prior);
        double cost = -Math.Log2(one ? p1 : 1 - p1);
        if (one) ones[ctx]++;
        else zeros[ctx]++;
        return cost;
    }

    private static bool ToBit(float value, int index) => value switch
    {
        0f => false,
        1f => true,
        _ => throw new MalformedDataException($"Bit {index} is {value}; the n-gram estimator needs every bit to be 0 or 1."),
    };

    private static void CheckContext(int context, double beta)
    {
        if (context < 1 || context > MaxContext)
            throw new InvalidConfigurationException($"dynamic-ngrams: the context must be between 1 and {MaxContext} bits, got {context}.");
        if (!(beta > 0) || !double.IsFinite(beta))
            throw new InvalidConfigurationException($"dynamic-ngrams: the Beta parameter must be positive and finite, got {beta}.");
    }
}
