using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>The xoshiro256** generator: reproducible streams, resumable state, and sane distributions.</summary>
public sealed class RngTests
{
    [Fact]
    public void First_outputs_match_the_reference_xoshiro256starstar_seeded_by_splitmix64()
    {
        // Computed with an independent implementation of SplitMix64 (state expansion) and xoshiro256**.
        var zero = new Rng(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, zero.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, zero.NextUInt64());
        Assert.Equal(0x1A5F849D4933E6E0UL, zero.NextUInt64());
        var fortyTwo = new Rng(42);
        Assert.Equal(0x15780B2E0C2EC716UL, fortyTwo.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, fortyTwo.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, fortyTwo.NextUInt64());
    }

    [Fact]
    public void Same_seed_gives_the_same_stream_and_another_seed_another()
    {
        Rng a = new(123), b = new(123), c = new(124);
        int same = 0;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            if (x == c.NextUInt64()) same++;
        }
        Assert.Equal(0, same);
    }

    [Fact]
    public void State_round_trip_continues_the_stream_exactly()
    {
        var original = new Rng(99);
        for (int i = 0; i < 17; i++) original.NextUInt64();
        original.NextGaussian();
        ulong[] state = original.GetState();
        Rng restored = Rng.FromState(state);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(original.NextUInt64(), restored.NextUInt64());
            Assert.Equal(original.NextInt(1000), restored.NextInt(1000));
            Assert.Equal(original.NextDouble(), restored.NextDouble());
            Assert.Equal(original.NextBeta(0.5, 0.5), restored.NextBeta(0.5, 0.5));
        }
        Assert.Equal(original.GetState(), restored.GetState());
        // GetState hands out a copy: changing it does not touch the generator.
        state[0] ^= 1;
        Assert.NotEqual(state, original.GetState());
    }

    [Fact]
    public void Invalid_states_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Rng.FromState([1, 2, 3]));
        Assert.Throws<ArgumentException>(() => Rng.FromState([0, 0, 0, 0]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void NextInt_stays_in_range(int n)
    {
        var rng = new Rng((ulong)n);
        for (int i = 0; i < 10_000; i++)
        {
            int v = rng.NextInt(n);
            Assert.InRange(v, 0, n - 1);
        }
    }

    [Fact]
    public void NextInt_with_bounds_is_inclusive_and_rejects_empty_ranges()
    {
        var rng = new Rng(4);
        var seen = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            int v = rng.NextInt(-2, 2);
            Assert.InRange(v, -2, 2);
            seen.Add(v);
        }
        Assert.Equal(5, seen.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(3, 2));
    }

    [Fact]
    public void NextInt_with_bounds_accepts_ranges_of_two_to_the_31_values_or_more()
    {
        // [0, int.MaxValue] holds 2^31 values: maxInclusive - minInclusive + 1 wraps to int.MinValue and
        // NextInt(int.MinValue) throws "The upper bound must be positive". Same for [-1, int.MaxValue - 1],
        // [int.MinValue, -1] and [int.MinValue, int.MaxValue].
        var rng = new Rng(6);
        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(rng.NextInt(0, int.MaxValue), 0, int.MaxValue);
            Assert.InRange(rng.NextInt(int.MinValue, -1), int.MinValue, -1);
            Assert.InRange(rng.NextInt(int.MinValue, int.MaxValue), int.MinValue, int.MaxValue);
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(16)]
    public void NextInt_is_roughly_uniform(int n)
    {
        // Chi-square with n - 1 <= 15 degrees of freedom: its 1e-6 upper tail starts below 50 (df 15: ~48;
        // df 6: ~35), so a correct generator fails this with negligible probability, while a bias of 1% per
        // bucket over 100,000 draws adds about 100,000 * 0.01^2 * n = 10 n and a broken one adds thousands.
        const int draws = 100_000;
        var rng = new Rng(31);
        var counts = new int[n];
        for (int i = 0; i < draws; i++) counts[rng.NextInt(n)]++;
        double expected = (double)draws / n;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 50, $"chi-square {chi2:F1} with {n - 1} degrees of freedom; counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void NextDouble_and_NextFloat_are_in_the_unit_interval_with_mean_one_half()
    {
        var rng = new Rng(8);
        double sumD = 0, sumF = 0;
        const int draws = 50_000;
        for (int i = 0; i < draws; i++)
        {
            double d = rng.NextDouble();
            float f = rng.NextFloat();
            Assert.InRange(d, 0.0, Math.BitDecrement(1.0));
            Assert.InRange(f, 0f, MathF.BitDecrement(1f));
            sumD += d;
            sumF += f;
        }
        // Standard error of the mean: sqrt(1/12 / 50,000) = 0.0013; allow 5 of them.
        Assert.Equal(0.5, sumD / draws, 0.0065);
        Assert.Equal(0.5, sumF / draws, 0.0065);
    }

    [Fact]
    public void NextBeta_one_half_one_half_has_the_arcsine_moments()
    {
        // Beta(1/2, 1/2): mean 1/2, variance ab / ((a + b)^2 (a + b + 1)) = 0.25 / 2 = 0.125, and
        // P(X < 0.1) = (2 / pi) asin(sqrt(0.1)) = 0.2048. With 40,000 draws the standard errors are
        // 0.0018 (mean), ~0.0007 (variance) and 0.002 (fraction); the bounds allow about 5 of them.
        var rng = new Rng(2718);
        const int draws = 40_000;
        double sum = 0, sumSq = 0;
        int below = 0;
        for (int i = 0; i < draws; i++)
        {
            double x = rng.NextBeta(0.5, 0.5);
            Assert.InRange(x, 0.0, 1.0);
            sum += x;
            sumSq += x * x;
            if (x < 0.1) below++;
        }
        double mean = sum / draws;
        double variance = sumSq / draws - mean * mean;
        Assert.Equal(0.5, mean, 0.01);
        Assert.Equal(0.125, variance, 0.004);
        Assert.Equal(2 / Math.PI * Math.Asin(Math.Sqrt(0.1)), (double)below / draws, 0.01);
    }

    [Fact]
    public void NextGaussian_has_mean_zero_and_variance_one()
    {
        var rng = new Rng(1);
        const int draws = 40_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < draws; i++)
        {
            double x = rng.NextGaussian();
            Assert.True(double.IsFinite(x));
            sum += x;
            sumSq += x * x;
        }
        Assert.Equal(0, sum / draws, 0.025);            // standard error 0.005
        Assert.Equal(1, sumSq / draws, 0.04);           // standard error 0.007
    }

    [Fact]
    public void Split_streams_are_reproducible_and_differ_from_the_parent()
    {
        Rng a = new(5), b = new(5);
        Rng childA = a.Split(), childB = b.Split();
        for (int i = 0; i < 100; i++) Assert.Equal(childA.NextUInt64(), childB.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), childA.NextUInt64());
    }
}
