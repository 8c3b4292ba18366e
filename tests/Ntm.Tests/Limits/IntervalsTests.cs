using Ntm.Limits;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Limits;

/// <summary>The interval code against values computed by hand.</summary>
public sealed class IntervalsTests
{
    [Theory]
    // n = 100, z = 1.9599640, z^2 = 3.8414588, so 1 + z^2/n = 1.0384146 and z / (1 + z^2/n) = 1.8874425.
    // 100/100: center (1 + 0.0192073) / 1.0384146 = 0.9815033; half 1.8874425 * sqrt(0 + 3.8414588/40000) = 0.0184967
    //          -> [0.9630065, 1].
    [InlineData(100, 100, 0.9630065, 1.0)]
    // 0/100: center 0.0192073 / 1.0384146 = 0.0184967, half 0.0184967 -> [0, 0.0369935].
    [InlineData(0, 100, 0.0, 0.0369935)]
    // 50/100: center 0.5, half 1.8874425 * sqrt(0.0025 + 0.0000960) = 0.0961685 -> [0.4038315, 0.5961685].
    [InlineData(50, 100, 0.4038315, 0.5961685)]
    // 99/100: center (0.99 + 0.0192073) / 1.0384146 = 0.9718732, half 1.8874425 * sqrt(0.000099 + 0.0000960) = 0.0263594
    //         -> [0.9455138, 0.9982326].
    [InlineData(99, 100, 0.9455138, 0.9982326)]
    public void Wilson_matches_hand_computed_values(int successes, int trials, double low, double high)
    {
        (double lo, double hi) = Intervals.Wilson(successes, trials);
        Assert.Equal(low, lo, 1e-6);
        Assert.Equal(high, hi, 1e-6);
    }

    [Fact]
    public void Wilson_refuses_impossible_counts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Intervals.Wilson(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Intervals.Wilson(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Intervals.Wilson(-1, 4));
    }

    [Fact]
    public void Percentile_is_the_nearest_rank()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(1, Intervals.Percentile(sorted, 0.025));   // ceil(0.25) - 1 = 0
        Assert.Equal(10, Intervals.Percentile(sorted, 0.975));  // ceil(9.75) - 1 = 9
        Assert.Equal(5, Intervals.Percentile(sorted, 0.5));     // ceil(5) - 1 = 4
    }

    [Fact]
    public void Bootstrap_of_equal_values_is_that_value_and_of_two_values_spans_them()
    {
        Assert.Equal((3.0, 3.0), Intervals.Bootstrap([3, 3, 3, 3], s => s.Average(), new Rng(1)));
        // The mean of 40 draws from {0, 1}: its 95% range is about 0.5 +- 0.16, well inside (0, 1).
        (double lo, double hi) = Intervals.Bootstrap(Enumerable.Range(0, 40).Select(i => (double)(i % 2)).ToList(), s => s.Average(), new Rng(1));
        Assert.InRange(lo, 0.30, 0.40);
        Assert.InRange(hi, 0.60, 0.70);
    }
}
