using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

/// <summary>Assertions shared by the task tests.</summary>
internal static class BatchAssert
{
    /// <summary>Same shape and bit-identical inputs, targets and mask.</summary>
    public static void Identical(SequenceBatch expected, SequenceBatch actual)
    {
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.BatchSize, actual.BatchSize);
        Assert.Equal(expected.InputSize, actual.InputSize);
        Assert.Equal(expected.OutputSize, actual.OutputSize);
        Assert.Equal(expected.Inputs, actual.Inputs);
        Assert.Equal(expected.Targets, actual.Targets);
        Assert.Equal(expected.Mask, actual.Mask);
    }

    /// <summary>Every value of the span is 0 or 1.</summary>
    public static void Binary(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            Assert.True(v == 0f || v == 1f, $"expected 0 or 1, got {v}");
    }

    /// <summary>Every value of the span is 0.</summary>
    public static void Zero(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            Assert.Equal(0f, v);
    }

    /// <summary>The steps whose mask is 1 for sequence <paramref name="b"/>; every mask value must be 0 or 1.</summary>
    public static int[] ScoredSteps(SequenceBatch batch, int b)
    {
        var steps = new List<int>();
        for (int t = 0; t < batch.Steps; t++)
        {
            float m = batch.MaskAt(t, b);
            Assert.True(m == 0f || m == 1f, $"mask {m} at step {t}");
            if (m == 1f) steps.Add(t);
        }
        return [.. steps];
    }

    /// <summary>The integers lo..hi inclusive.</summary>
    public static int[] Range(int lo, int hi) => Enumerable.Range(lo, hi - lo + 1).ToArray();
}
