namespace Ntm.Tasks;

/// <summary>
/// A minibatch of sequences that share one length: inputs, targets and a loss mask, time-major.
/// Layouts: <c>Inputs</c> is (Steps, BatchSize, InputSize), <c>Targets</c> is
/// (Steps, BatchSize, OutputSize), <c>Mask</c> is (Steps, BatchSize) with 1 where the output at that
/// step is scored and 0 where it is not (e.g. while the copy task is still presenting its input).
/// Sequences of different lengths are padded and masked.
/// </summary>
public sealed class SequenceBatch
{
    /// <summary>Number of time steps.</summary>
    public int Steps { get; }
    /// <summary>Number of sequences.</summary>
    public int BatchSize { get; }
    /// <summary>Width of an input vector.</summary>
    public int InputSize { get; }
    /// <summary>Width of an output (target) vector.</summary>
    public int OutputSize { get; }
    /// <summary>(Steps, BatchSize, InputSize) input values.</summary>
    public float[] Inputs { get; }
    /// <summary>(Steps, BatchSize, OutputSize) targets in [0, 1].</summary>
    public float[] Targets { get; }
    /// <summary>(Steps, BatchSize) loss weights: 1 where scored, 0 where not.</summary>
    public float[] Mask { get; }

    /// <summary>Creates an all-zero batch of the given shape.</summary>
    public SequenceBatch(int steps, int batchSize, int inputSize, int outputSize)
    {
        if (steps <= 0 || batchSize <= 0 || inputSize <= 0 || outputSize <= 0)
            throw new MalformedDataException(
                $"A batch needs positive sizes, got steps={steps}, batch={batchSize}, input={inputSize}, output={outputSize}.");
        Steps = steps;
        BatchSize = batchSize;
        InputSize = inputSize;
        OutputSize = outputSize;
        Inputs = new float[checked(steps * batchSize * inputSize)];
        Targets = new float[checked(steps * batchSize * outputSize)];
        Mask = new float[checked(steps * batchSize)];
    }

    /// <summary>The input vector of sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    public Span<float> Input(int t, int b) => Inputs.AsSpan((t * BatchSize + b) * InputSize, InputSize);

    /// <summary>The target vector of sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    public Span<float> Target(int t, int b) => Targets.AsSpan((t * BatchSize + b) * OutputSize, OutputSize);

    /// <summary>The loss weight of sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    public ref float MaskAt(int t, int b) => ref Mask[t * BatchSize + b];

    /// <summary>Number of scored target bits in sequence <paramref name="b"/> (mask sum times output width).</summary>
    public int ScoredSteps(int b)
    {
        int n = 0;
        for (int t = 0; t < Steps; t++)
            if (Mask[t * BatchSize + b] != 0) n++;
        return n;
    }

    /// <summary>Checks that no value is NaN or infinite and that targets and mask lie in [0, 1].</summary>
    /// <exception cref="MalformedDataException">A value is out of range; the message says which.</exception>
    public void Validate()
    {
        for (int i = 0; i < Inputs.Length; i++)
            if (!float.IsFinite(Inputs[i]))
                throw new MalformedDataException($"Input value {Inputs[i]} at step {i / (BatchSize * InputSize)} is not finite.");
        for (int i = 0; i < Targets.Length; i++)
            if (!(Targets[i] >= 0 && Targets[i] <= 1))
                throw new MalformedDataException($"Target value {Targets[i]} at step {i / (BatchSize * OutputSize)} is not in [0, 1].");
        for (int i = 0; i < Mask.Length; i++)
            if (!(Mask[i] >= 0 && Mask[i] <= 1))
                throw new MalformedDataException($"Mask value {Mask[i]} at step {i / BatchSize} is not in [0, 1].");
    }
}
