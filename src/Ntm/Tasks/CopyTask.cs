using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The copy task (paper, section 4.1): a sequence of random binary vectors, then a delimiter on an
/// extra input channel; the machine must then reproduce the sequence with no further input.
/// Input width is <c>Bits + 1</c> (the last channel is the delimiter), output width is <c>Bits</c>.
/// A sequence of length L takes 2L + 1 steps: L presentation steps, the delimiter, L answer steps.
/// Within one minibatch every sequence has the same length (drawn uniformly from
/// [MinLength, MaxLength]), so the batch needs no padding.
/// </summary>
public sealed class CopyTask : SequenceTask
{
    /// <summary>The paper's vector width: 8 bits (section 4.1).</summary>
    public const int PaperBits = 8;
    /// <summary>The paper's shortest training sequence: 1 vector (section 4.1).</summary>
    public const int PaperMinLength = 1;
    /// <summary>The paper's longest training sequence: 20 vectors (section 4.1).</summary>
    public const int PaperMaxLength = 20;

    /// <summary>The lengths <c>ntm generalize</c> evaluates: those of the paper's copy-generalisation figures (10, 20, 30, 50, 120).</summary>
    private static readonly int[] GeneralizationLengths = [10, 20, 30, 50, 120];

    /// <summary>The task's name, description and settings (defaults: the paper's).</summary>
    public static TaskDefinition Definition { get; } = new(
        "copy",
        "Copy a sequence of random binary vectors after seeing all of it (paper section 4.1).",
        [
            TaskSetting.Integer("bits", PaperBits, "width of each random vector"),
            TaskSetting.Integer("min-length", PaperMinLength, "shortest training sequence, in vectors"),
            TaskSetting.Integer("max-length", PaperMaxLength, "longest training sequence, in vectors"),
        ],
        s => new CopyTask(s.Integer("bits"), s.Integer("min-length"), s.Integer("max-length")));

    /// <summary>Width of each random vector; the paper uses 8.</summary>
    public int Bits { get; }
    /// <summary>Shortest training sequence; the paper uses 1.</summary>
    public int MinLength { get; }
    /// <summary>Longest training sequence; the paper uses 20.</summary>
    public int MaxLength { get; }

    /// <summary>Creates the task; the defaults are the paper's settings.</summary>
    public CopyTask(int bits = PaperBits, int minLength = PaperMinLength, int maxLength = PaperMaxLength)
    {
        if (bits < 1) throw new InvalidConfigurationException($"copy: bits must be at least 1, got {bits}.");
        if (minLength < 1) throw new InvalidConfigurationException($"copy: the minimum length must be at least 1, got {minLength}.");
        if (maxLength < minLength)
            throw new InvalidConfigurationException($"copy: the maximum length {maxLength} is below the minimum length {minLength}.");
        Bits = bits;
        MinLength = minLength;
        MaxLength = maxLength;
    }

    /// <inheritdoc />
    public override string Name => Definition.Name;
    /// <inheritdoc />
    public override int InputSize => Bits + 1;
    /// <inheritdoc />
    public override int OutputSize => Bits;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string>
    {
        ["bits"] = TaskSetting.Format(Bits),
        ["min-length"] = TaskSetting.Format(MinLength),
        ["max-length"] = TaskSetting.Format(MaxLength),
    };

    /// <summary>The sequence length: trained on [MinLength, MaxLength], tested at any length of at least 1.</summary>
    public override TaskAxis Axis => new(TaskAxis.LengthName, "vectors per sequence", 1, MinLength, MaxLength, Make, WithLength);

    /// <summary>Lengths 10, 20, 30, 50 and 120, as in the paper's copy-generalisation figures.</summary>
    public override IReadOnlyList<AxisPoint> GeneralizationPoints => GeneralizationLengths.Select(Axis.Point).ToList();

    /// <summary>The same task with every sequence of exactly <paramref name="length"/> vectors.</summary>
    public CopyTask WithLength(int length) => new(Bits, length, length);

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize)
    {
        int length = rng.NextInt(MinLength, MaxLength);
        return Make(rng, batchSize, length);
    }

    /// <summary>A batch of sequences of exactly <paramref name="length"/> vectors.</summary>
    public SequenceBatch Make(Rng rng, int batchSize, int length)
    {
        var batch = new SequenceBatch(2 * length + 1, batchSize, InputSize, OutputSize);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < length; t++)
            {
                Span<float> x = batch.Input(t, b);
                Span<float> y = batch.Target(length + 1 + t, b);
                for (int j = 0; j < Bits; j++)
                {
                    float bit = rng.NextBit() ? 1f : 0f;
                    x[j] = bit;
                    y[j] = bit;
                }
                batch.MaskAt(length + 1 + t, b) = 1f;
            }
            batch.Input(length, b)[Bits] = 1f;   // the delimiter
        }
        return batch;
    }
}
