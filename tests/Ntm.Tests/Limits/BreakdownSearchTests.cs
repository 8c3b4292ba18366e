using Ntm.Limits;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Limits;

/// <summary>The breakdown search on synthetic scorers whose breakdown point is known.</summary>
public sealed class BreakdownSearchTests
{
    // Every sequence is right up to `limit` and every one has a wrong bit past it (10 scored bits each).
    private static Func<int, AxisScore> Step(int limit, List<int>? asked = null) => v =>
    {
        asked?.Add(v);
        return new AxisScore(v, Enumerable.Repeat(v <= limit ? 0.0 : 1.0, 20).ToArray(), 10);
    };

    [Theory]
    [InlineData(137, 20, 4096)]
    [InlineData(20, 20, 4096)]
    [InlineData(21, 20, 4096)]
    [InlineData(1000, 7, 5000)]
    [InlineData(12, 20, 4096)]   // already failing at the start: bisection down
    [InlineData(1, 20, 4096)]
    public void Finds_a_known_breakdown_point_exactly(int limit, int start, int cap)
    {
        var asked = new List<int>();
        var search = new BreakdownSearch(Step(limit, asked), minimum: 1, start, cap);
        Assert.Equal(limit, search.Find(BreakdownCriterion.Exact));
        Assert.Equal(limit, search.Find(BreakdownCriterion.Bits));
        Assert.Equal(asked.Count, asked.Distinct().Count());           // every value is scored once
        Assert.True(asked.Count <= 2 * Math.Log2(cap) + 2, $"{asked.Count} values scored");
        BreakdownLimit l = search.Limit(BreakdownCriterion.Exact, new Rng(1));
        Assert.Equal(new BreakdownLimit(limit, limit, limit, Censored: false), l);   // no doubt when every sequence agrees
    }

    [Fact]
    public void Nothing_failing_up_to_the_cap_is_censored()
    {
        var search = new BreakdownSearch(Step(int.MaxValue), 1, 20, 300);
        Assert.Equal(300, search.Find(BreakdownCriterion.Exact));
        Assert.True(search.Limit(BreakdownCriterion.Exact, new Rng(1)).Censored);
    }

    [Fact]
    public void Failing_at_the_minimum_has_no_limit()
    {
        var search = new BreakdownSearch(Step(0), 1, 20, 300);
        Assert.Null(search.Find(BreakdownCriterion.Exact));
        Assert.Equal(new BreakdownLimit(null, null, null, false), search.Limit(BreakdownCriterion.Exact, new Rng(1)));
    }

    [Fact]
    public void The_two_criteria_differ_where_a_few_bits_are_wrong_in_many_sequences()
    {
        // Past 50 every sequence has 1 wrong bit of 1000 (0.1%, under the 1% bit criterion); past 90 each has 20 (2%).
        AxisScore Score(int v) => new(v, Enumerable.Repeat(v <= 50 ? 0.0 : v <= 90 ? 1.0 : 20.0, 10).ToArray(), 1000);
        var search = new BreakdownSearch(Score, 1, 20, 1000);
        Assert.Equal(50, search.Find(BreakdownCriterion.Exact));
        Assert.Equal(90, search.Find(BreakdownCriterion.Bits));
    }

    [Fact]
    public void The_interval_widens_when_the_point_just_passes()
    {
        // At 30 exactly 99 of 100 sequences are right (just passing); resampling drops it under 99% about
        // 26% of the time (P(two or more wrong | Poisson 1) = 0.26), so the low end falls to the value below.
        AxisScore Score(int v) => new(v, Enumerable.Range(0, 100).Select(i => v < 30 ? 0.0 : v == 30 ? (i == 0 ? 1.0 : 0.0) : 5.0).ToArray(), 10);
        var search = new BreakdownSearch(Score, 1, 20, 1000);
        Assert.Equal(30, search.Find(BreakdownCriterion.Exact));
        BreakdownLimit l = search.Limit(BreakdownCriterion.Exact, new Rng(3));
        Assert.Equal(30, l.Value);
        Assert.True(l.Low < 30, $"low end {l.Low}");
        Assert.Equal(30, l.High);
    }

    [Fact]
    public void A_bad_range_is_refused()
        => Assert.Throws<InvalidConfigurationException>(() => new BreakdownSearch(Step(5), 1, 20, 10));
}
