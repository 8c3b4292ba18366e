using Ntm.Numerics;

namespace Ntm.Limits;

/// <summary>What a machine scored at one value of its task's axis, sequence by sequence.</summary>
/// <param name="Value">The axis value, e.g. a copy length.</param>
/// <param name="SequenceWrongBits">Each sequence's wrong bits.</param>
/// <param name="BitsPerSequence">Scored target bits per sequence (the same for every sequence at one axis value).</param>
public sealed record AxisScore(int Value, IReadOnlyList<double> SequenceWrongBits, double BitsPerSequence)
{
    /// <summary>Sequences scored.</summary>
    public int Sequences => SequenceWrongBits.Count;
    /// <summary>Sequences with no wrong bit.</summary>
    public int ExactSequences => SequenceWrongBits.Count(e => e == 0);
    /// <summary>The fraction of sequences with no wrong bit.</summary>
    public double ExactFraction => (double)ExactSequences / Sequences;
    /// <summary>Wrong bits per scored bit.</summary>
    public double BitErrorRate => BitsPerSequence > 0 ? SequenceWrongBits.Sum() / (BitsPerSequence * Sequences) : 0;
}

/// <summary>The two definitions of "still works" at an axis value (docs/limits.md, "Definitions").</summary>
public enum BreakdownCriterion
{
    /// <summary>At least 99% of sequences are exactly right.</summary>
    Exact,
    /// <summary>Under 1% of the scored output bits are wrong.</summary>
    Bits,
}

/// <summary>The largest axis value at which a criterion holds, with its bootstrap interval.</summary>
/// <param name="Value">The limit: the largest value that passes below the smallest value that fails; null when even the smallest value searched fails.</param>
/// <param name="Low">The interval's low end (2.5% bootstrap percentile; null where the resampled limit falls below the smallest value searched).</param>
/// <param name="High">The interval's high end (97.5% percentile).</param>
/// <param name="Censored">True when no value up to the search's cap failed: the limit is at least <paramref name="Value"/>.</param>
public sealed record BreakdownLimit(int? Value, int? Low, int? High, bool Censored);

/// <summary>
/// Finds where a machine stops working along an integer axis: from the training maximum, a geometric
/// sweep (doubling) up to the first failing value, then bisection to the exact largest passing value;
/// if the training maximum already fails, bisection down to the axis minimum. It assumes that working
/// is monotone along the axis (a value passes if every smaller one does), which is what a breakdown
/// point means; each value is scored once on fresh sequences and the scores are kept.
/// </summary>
public sealed class BreakdownSearch
{
    /// <summary>The exact criterion's threshold: at least 99% of sequences exactly right.</summary>
    public const double ExactThreshold = 0.99;
    /// <summary>The bit criterion's threshold: under 1% of scored bits wrong.</summary>
    public const double BitErrorThreshold = 0.01;

    private readonly Func<int, AxisScore> _score;
    private readonly SortedDictionary<int, AxisScore> _scores = new();

    /// <summary>Creates a search over axis values in [<paramref name="minimum"/>, <paramref name="cap"/>] starting at <paramref name="start"/>.</summary>
    /// <exception cref="InvalidConfigurationException">The range is empty or the start lies outside it.</exception>
    public BreakdownSearch(Func<int, AxisScore> score, int minimum, int start, int cap)
    {
        ArgumentNullException.ThrowIfNull(score);
        if (minimum < 0 || start < minimum || cap < start)
            throw new InvalidConfigurationException($"A search needs 0 <= minimum <= start <= cap, got {minimum}, {start}, {cap}.");
        _score = score;
        (Minimum, Start, Cap) = (minimum, start, cap);
    }

    /// <summary>The smallest axis value.</summary>
    public int Minimum { get; }
    /// <summary>Where the search starts (the training maximum).</summary>
    public int Start { get; }
    /// <summary>The largest value searched.</summary>
    public int Cap { get; }
    /// <summary>Every value scored so far, in increasing order.</summary>
    public IReadOnlyList<AxisScore> Scores => _scores.Values.ToList();

    /// <summary>Whether a score passes a criterion.</summary>
    public static bool Passes(AxisScore s, BreakdownCriterion c) => c == BreakdownCriterion.Exact
        ? s.ExactFraction >= ExactThreshold
        : s.BitErrorRate < BitErrorThreshold;

    private AxisScore At(int v)
    {
        if (!_scores.TryGetValue(v, out AxisScore? s))
        {
            s = _score(v);
            if (s.Value != v) throw new InvalidOperationException($"The scorer was asked for {v} and scored {s.Value}.");
            _scores[v] = s;
        }
        return s;
    }

    /// <summary>Searches for the largest value that passes <paramref name="c"/>, scoring the values it needs.</summary>
    public int? Find(BreakdownCriterion c)
    {
        bool Pass(int v) => Passes(At(v), c);
        int lo, hi;
        if (Pass(Start))
        {
            lo = Start;
            hi = lo;
            while (true)
            {
                if (hi >= Cap) return Cap;                                   // censored: nothing failed up to the cap
                hi = (int)Math.Min((long)Math.Max(hi, 1) * 2, Cap);
                if (!Pass(hi)) break;
                lo = hi;
            }
        }
        else
        {
            if (Start == Minimum || !Pass(Minimum)) return null;
            (lo, hi) = (Minimum, Start);
        }
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            if (Pass(mid)) lo = mid; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// The limit under <paramref name="c"/> from the values scored so far, with a percentile bootstrap
    /// interval: the sequences of every scored value are resampled together, the limit recomputed from
    /// the resampled scores (the largest passing value below the smallest failing one), 1,000 times.
    /// </summary>
    public BreakdownLimit Limit(BreakdownCriterion c, Rng rng)
    {
        var values = _scores.Values.ToList();
        int? point = LimitOf(values.Select(s => Passes(s, c)).ToList(), values, out bool censored);
        var samples = new double[Intervals.BootstrapResamples];
        for (int r = 0; r < samples.Length; r++)
        {
            var passes = values.Select(s => Passes(Resample(s, rng), c)).ToList();
            samples[r] = LimitOf(passes, values, out _) ?? double.NegativeInfinity;
        }
        Array.Sort(samples);
        static int? AsValue(double x) => double.IsNegativeInfinity(x) ? null : (int)x;
        return new BreakdownLimit(point, AsValue(Intervals.Percentile(samples, 0.025)), AsValue(Intervals.Percentile(samples, 0.975)), censored);
    }

    private static int? LimitOf(IReadOnlyList<bool> passes, IReadOnlyList<AxisScore> values, out bool censored)
    {
        int firstFail = passes.IndexOf(false);
        censored = firstFail < 0;
        int last = (censored ? values.Count : firstFail) - 1;
        return last >= 0 ? values[last].Value : null;
    }

    private static AxisScore Resample(AxisScore s, Rng rng)
    {
        var e = new double[s.Sequences];
        for (int i = 0; i < e.Length; i++) e[i] = s.SequenceWrongBits[rng.NextInt(e.Length)];
        return s with { SequenceWrongBits = e };
    }
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T value)
    {
        for (int i = 0; i < list.Count; i++)
            if (EqualityComparer<T>.Default.Equals(list[i], value)) return i;
        return -1;
    }
}
