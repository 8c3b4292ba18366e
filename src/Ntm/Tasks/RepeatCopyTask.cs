using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The repeat copy task (paper, section 4.2): a sequence of random binary vectors, then a repeat
/// count; the machine must output the sequence that many times and then an end marker.
/// <para>
/// Input width is <c>Bits + 2</c>: channels <c>[0, Bits)</c> carry the vectors, channel
/// <c>Bits</c> is the delimiter (start-of-repeat marker) and channel <c>Bits + 1</c> carries the
/// normalised repeat count. Output width is <c>Bits + 1</c>: channels <c>[0, Bits)</c> are the
/// vectors, channel <c>Bits</c> is the end marker.
/// </para>
/// <para>
/// For a sequence of length L repeated R times there are <c>L + 1 + L·R + 1</c> steps:
/// steps <c>0 .. L-1</c> present the vectors; step <c>L</c> has the delimiter set to 1 and the
/// count channel set to <see cref="NormaliseRepeats"/>(R) (all other inputs 0); steps
/// <c>L+1 .. L+L·R</c> have zero input and target vector <c>(t - L - 1) mod L</c>; the last step
/// <c>L+1+L·R</c> has zero input and a target that is 0 except the end-marker channel, which is 1.
/// The mask is 1 on every step after the delimiter (the L·R copies and the end-marker step) and 0
/// before. Within one minibatch every sequence has the same length and repeat count (each drawn
/// uniformly per batch), so the batch needs no padding.
/// </para>
/// <para>
/// The repeat count is normalised to mean 0, variance 1 over the training counts, which are uniform
/// on {MinRepeats .. MaxRepeats}: <c>mean = (MinRepeats + MaxRepeats) / 2</c>,
/// <c>var = ((MaxRepeats - MinRepeats + 1)^2 - 1) / 12</c>, value <c>= (R - mean) / sqrt(var)</c>.
/// The same formula is used for counts outside the training range (generalisation tests). If
/// MinRepeats equals MaxRepeats the variance is 0 and the value is <c>R - mean</c>.
/// </para>
/// </summary>
public sealed class RepeatCopyTask : SequenceTask
{
    /// <summary>The paper's vector width: 8 bits (section 4.2).</summary>
    public const int PaperBits = 8;
    /// <summary>The paper's shortest training sequence: 1 vector (section 4.2).</summary>
    public const int PaperMinLength = 1;
    /// <summary>The paper's longest training sequence: 10 vectors (section 4.2).</summary>
    public const int PaperMaxLength = 10;
    /// <summary>The paper's smallest training repeat count: 1 (section 4.2).</summary>
    public const int PaperMinRepeats = 1;
    /// <summary>The paper's largest training repeat count: 10 (section 4.2).</summary>
    public const int PaperMaxRepeats = 10;

    /// <summary>The task's name, description and settings (defaults: the paper's).</summary>
    public static TaskDefinition Definition { get; } = new(
        "repeat-copy",
        "Output a sequence of random binary vectors as many times as asked, then an end marker (paper section 4.2).",
        [
            TaskSetting.Integer("bits", PaperBits, "width of each random vector"),
            TaskSetting.Integer("min-length", PaperMinLength, "shortest training sequence, in vectors"),
            TaskSetting.Integer("max-length", PaperMaxLength, "longest training sequence, in vectors"),
            TaskSetting.Integer("min-repeats", PaperMinRepeats, "smallest training repeat count"),
            TaskSetting.Integer("max-repeats", PaperMaxRepeats, "largest training repeat count"),
        ],
        s => new RepeatCopyTask(s.Integer("bits"), s.Integer("min-length"), s.Integer("max-length"), s.Integer("min-repeats"), s.Integer("max-repeats")));

    /// <summary>Width of each random vector; the paper uses 8.</summary>
    public int Bits { get; }
    /// <summary>Shortest training sequence; the paper uses 1.</summary>
    public int MinLength { get; }
    /// <summary>Longest training sequence; the paper uses 10.</summary>
    public int MaxLength { get; }
    /// <summary>Smallest training repeat count; the paper uses 1.</summary>
    public int MinRepeats { get; }
    /// <summary>Largest training repeat count; the paper uses 10.</summary>
    public int MaxRepeats { get; }

    /// <summary>Mean of the training repeat counts: <c>(MinRepeats + MaxRepeats) / 2</c>.</summary>
    public double RepeatMean => (MinRepeats + MaxRepeats) / 2.0;

    /// <summary>
    /// Standard deviation of the training repeat counts: <c>sqrt(((MaxRepeats - MinRepeats + 1)^2 - 1) / 12)</c>,
    /// the standard deviation of a discrete uniform distribution.
    /// </summary>
    public double RepeatStdDev
    {
        get
        {
            double n = MaxRepeats - MinRepeats + 1;
            return Math.Sqrt((n * n - 1) / 12.0);
        }
    }

    /// <summary>Creates the task; the defaults are the paper's settings.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is out of range.</exception>
    public RepeatCopyTask(int bits = PaperBits, int minLength = PaperMinLength, int maxLength = PaperMaxLength,
        int minRepeats = PaperMinRepeats, int maxRepeats = PaperMaxRepeats)
    {
        if (bits < 1) throw new InvalidConfigurationException($"repeat-copy: bits must be at least 1, got {bits}.");
        if (minLength < 1) throw new InvalidConfigurationException($"repeat-copy: the minimum length must be at least 1, got {minLength}.");
        if (maxLength < minLength)
            throw new InvalidConfigurationException($"repeat-copy: the maximum length {maxLength} is below the minimum length {minLength}.");
        if (minRepeats < 1) throw new InvalidConfigurationException($"repeat-copy: the minimum repeat count must be at least 1, got {minRepeats}.");
        if (maxRepeats < minRepeats)
            throw new InvalidConfigurationException($"repeat-copy: the maximum repeat count {maxRepeats} is below the minimum repeat count {minRepeats}.");
        Bits = bits;
        MinLength = minLength;
        MaxLength = maxLength;
        MinRepeats = minRepeats;
        MaxRepeats = maxRepeats;
    }

    /// <inheritdoc />
    public override string Name => Definition.Name;
    /// <inheritdoc />
    public override int InputSize => Bits + 2;
    /// <inheritdoc />
    public override int OutputSize => Bits + 1;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string>
    {
        ["bits"] = TaskSetting.Format(Bits),
        ["min-length"] = TaskSetting.Format(MinLength),
        ["max-length"] = TaskSetting.Format(MaxLength),
        ["min-repeats"] = TaskSetting.Format(MinRepeats),
        ["max-repeats"] = TaskSetting.Format(MaxRepeats),
    };

    /// <summary>
    /// The sequence length, trained on [MinLength, MaxLength], with the repeat count held at
    /// <see cref="MaxRepeats"/> (points read <c>{"length": L, "repeats": MaxRepeats}</c>);
    /// <see cref="TaskAxis.At"/> keeps the training distribution of repeat counts.
    /// </summary>
    public override TaskAxis Axis => new(TaskAxis.LengthName, "vectors per sequence", 1, MinLength, MaxLength,
        (rng, batchSize, length) => Make(rng, batchSize, length, MaxRepeats),
        length => new RepeatCopyTask(Bits, length, length, MinRepeats, MaxRepeats),
        new OrderedDictionary<string, int> { ["repeats"] = MaxRepeats });

    /// <summary>The length axis, then the repeat count (at the longest training length): the paper tests both.</summary>
    public override IReadOnlyList<TaskAxis> Axes =>
    [
        Axis,
        new("repeats", "times the sequence is output", 1, MinRepeats, MaxRepeats,
            (rng, batchSize, repeats) => Make(rng, batchSize, MaxLength, repeats),
            repeats => new RepeatCopyTask(Bits, MinLength, MaxLength, repeats, repeats),
            new OrderedDictionary<string, int> { [TaskAxis.LengthName] = MaxLength }),
    ];

    /// <summary>The hardest training setting, then the length doubled, then the repeat count doubled.</summary>
    public override IReadOnlyList<AxisPoint> GeneralizationPoints
    {
        get
        {
            TaskAxis axis = Axis;
            int length = MaxLength, repeats = 2 * MaxRepeats;
            return
            [
                axis.Point(MaxLength),
                axis.Point(2 * MaxLength),
                new(new OrderedDictionary<string, int> { ["length"] = length, ["repeats"] = repeats }, (rng, n) => Make(rng, n, length, repeats)),
            ];
        }
    }

    /// <summary>Index of the delimiter (start-of-repeat) input channel.</summary>
    public int DelimiterChannel => Bits;
    /// <summary>Index of the repeat-count input channel.</summary>
    public int RepeatChannel => Bits + 1;
    /// <summary>Index of the end-marker output channel.</summary>
    public int EndMarkerChannel => Bits;

    /// <summary>Number of steps of a sequence of <paramref name="length"/> vectors repeated <paramref name="repeats"/> times.</summary>
    /// <exception cref="InvalidConfigurationException">The length or count is below 1, or the sequence is too long to represent.</exception>
    public static int StepCount(int length, int repeats)
    {
        CheckShape(length, repeats);
        return checked(length + 1 + length * repeats + 1);
    }

    /// <summary>
    /// The value presented on the repeat-count channel for <paramref name="repeats"/>:
    /// <c>(repeats - RepeatMean) / RepeatStdDev</c> (or <c>repeats - RepeatMean</c> when the training
    /// range holds a single count).
    /// </summary>
    public float NormaliseRepeats(int repeats)
    {
        double sd = RepeatStdDev;
        return (float)(sd > 0 ? (repeats - RepeatMean) / sd : repeats - RepeatMean);
    }

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int length = rng.NextInt(MinLength, MaxLength);
        int repeats = rng.NextInt(MinRepeats, MaxRepeats);
        return Make(rng, batchSize, length, repeats);
    }

    /// <summary>
    /// A batch of sequences of exactly <paramref name="length"/> vectors repeated exactly
    /// <paramref name="repeats"/> times; both may lie outside the training ranges (generalisation
    /// tests), the count is still normalised with the training mean and deviation.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The length or count is below 1, or the sequence is too long.</exception>
    public SequenceBatch Make(Rng rng, int batchSize, int length, int repeats)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int steps = StepCount(length, repeats);
        var batch = new SequenceBatch(steps, batchSize, InputSize, OutputSize);
        float count = NormaliseRepeats(repeats);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < length; t++)
            {
                Span<float> x = batch.Input(t, b);
                for (int j = 0; j < Bits; j++)
                    x[j] = rng.NextBit() ? 1f : 0f;
            }
            Span<float> delimiter = batch.Input(length, b);
            delimiter[DelimiterChannel] = 1f;
            delimiter[RepeatChannel] = count;
            for (int r = 0; r < repeats; r++)
            {
                for (int t = 0; t < length; t++)
                {
                    int step = length + 1 + r * length + t;
                    batch.Input(t, b)[..Bits].CopyTo(batch.Target(step, b));
                    batch.MaskAt(step, b) = 1f;
                }
            }
            batch.Target(steps - 1, b)[EndMarkerChannel] = 1f;
            batch.MaskAt(steps - 1, b) = 1f;
        }
        return batch;
    }

    private static void CheckShape(int length, int repeats)
    {
        if (length < 1) throw new InvalidConfigurationException($"repeat-copy: the length must be at least 1, got {length}.");
        if (repeats < 1) throw new InvalidConfigurationException($"repeat-copy: the repeat count must be at least 1, got {repeats}.");
        if ((long)length * repeats + length + 2 > int.MaxValue)
            throw new InvalidConfigurationException($"repeat-copy: a length of {length} repeated {repeats} times is too long.");
    }
}
