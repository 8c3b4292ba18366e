using Ntm.Numerics;

namespace Ntm.Limits;

/// <summary>
/// Confidence intervals for the breakdown search (docs/limits.md, "Definitions"): the Wilson score
/// interval of a success fraction, and percentile bootstrap intervals over the sequences of a point.
/// All at 95%.
/// </summary>
public static class Intervals
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Bootstrap resamples (1,000 puts a 2.5% percentile within about 1% of its value).</summary>
    public const int BootstrapResamples = 1000;

    /// <summary>
    /// The Wilson score interval of <paramref name="successes"/> out of <paramref name="trials"/> (Wilson
    /// 1927): (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). Unlike p ± z sqrt(p(1-p)/n) it stays
    /// inside [0, 1] and is not empty at p = 0 or 1, which is where a breakdown search lives.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No trials, or successes outside [0, trials].</exception>
    public static (double Low, double High) Wilson(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        double n = trials, p = successes / n, z2 = z * z;
        double center = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return (Math.Max(0, center - half), Math.Min(1, center + half));
    }

    /// <summary>
    /// The 2.5% and 97.5% percentiles of <paramref name="statistic"/> over <see cref="BootstrapResamples"/>
    /// resamples (with replacement) of <paramref name="values"/>, drawn from <paramref name="rng"/>.
    /// </summary>
    public static (double Low, double High) Bootstrap(IReadOnlyList<double> values, Func<double[], double> statistic, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("Bootstrap needs at least one value.", nameof(values));
        var stats = new double[BootstrapResamples];
        var sample = new double[values.Count];
        for (int r = 0; r < stats.Length; r++)
        {
            for (int i = 0; i < sample.Length; i++) sample[i] = values[rng.NextInt(values.Count)];
            stats[r] = statistic(sample);
        }
        Array.Sort(stats);
        return (Percentile(stats, 0.025), Percentile(stats, 0.975));
    }

    /// <summary>The q-quantile of sorted values, by the nearest-rank rule (always one of the values).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        int k = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(k, 0, sorted.Length - 1)];
    }
}
