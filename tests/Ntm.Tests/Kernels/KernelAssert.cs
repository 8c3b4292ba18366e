using System.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Assertions shared by the kernel tests.</summary>
internal static class KernelAssert
{
    /// <summary>Same length and every entry within <paramref name="tolerance"/> (absolute).</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"entry {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
    }

    /// <summary>Float overload: compares in double.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        var a = new double[actual.Length];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        Close(expected, a, tolerance);
    }

    /// <summary>No NaN and no infinity.</summary>
    public static void Finite<T>(ReadOnlySpan<T> values, string what) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            Assert.True(T.IsFinite(values[i]), $"{what}[{i}] is {values[i]}");
    }

    /// <summary>Finite, non-negative and summing to 1 within <paramref name="tolerance"/>: a weighting.</summary>
    public static void Distribution<T>(ReadOnlySpan<T> w, double tolerance, string what) where T : IFloatingPointIeee754<T>
    {
        Finite(w, what);
        double sum = 0;
        for (int i = 0; i < w.Length; i++)
        {
            Assert.True(w[i] >= T.Zero, $"{what}[{i}] = {w[i]} is negative");
            sum += double.CreateChecked(w[i]);
        }
        Assert.True(Math.Abs(sum - 1) <= tolerance, $"{what} sums to {sum:R}, not 1");
    }
}
