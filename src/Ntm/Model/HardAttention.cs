using System.Numerics;

namespace Ntm.Model;

/// <summary>
/// Hard-attention execution of a trained machine: every read and write weighting, once addressing
/// (eq. 5-9) has computed it, is replaced by a discrete one before it is used (to read, to write, and
/// as the previous weighting of the next step). <see cref="ArgMax"/> keeps only the largest entry
/// (a one-hot weighting on its row); <see cref="Threshold"/> keeps the entries at or above a
/// threshold, renormalised (the one-hot at the largest entry when none reaches it). The soft machine
/// is <see cref="Soft"/>. Nothing is trained this way: it only runs trained weights.
/// </summary>
public sealed record HardAttention
{
    private HardAttention(double? threshold, bool hard) => (ThresholdValue, IsHard) = (threshold, hard);

    /// <summary>The machine as trained: soft weightings.</summary>
    public static HardAttention Soft { get; } = new(null, false);

    /// <summary>Every weighting becomes one-hot at its largest entry.</summary>
    public static HardAttention ArgMax { get; } = new(null, true);

    /// <summary>Every weighting keeps its entries at or above <paramref name="threshold"/>, renormalised.</summary>
    /// <exception cref="InvalidConfigurationException">The threshold is not in (0, 1].</exception>
    public static HardAttention Threshold(double threshold)
    {
        if (!(threshold > 0 && threshold <= 1))
            throw new InvalidConfigurationException($"The hard-attention threshold must be in (0, 1], got {threshold}.");
        return new HardAttention(threshold, true);
    }

    /// <summary>Whether weightings are made discrete.</summary>
    public bool IsHard { get; }

    /// <summary>The threshold of <see cref="Threshold"/>; null for <see cref="ArgMax"/> and <see cref="Soft"/>.</summary>
    public double? ThresholdValue { get; }

    /// <summary>In words: <c>soft</c>, <c>hard (arg max)</c> or <c>hard (entries at or above 0.2)</c>.</summary>
    public override string ToString() => !IsHard ? "soft" : ThresholdValue is { } t ? $"hard (entries at or above {t:G3})" : "hard (arg max)";

    // w is (N), a weighting; replaced in place.
    internal void Apply<T>(Span<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsHard) return;
        int best = 0;
        for (int i = 1; i < w.Length; i++) if (w[i] > w[best]) best = i;
        if (ThresholdValue is { } th)
        {
            T cut = T.CreateChecked(th), sum = T.Zero;
            for (int i = 0; i < w.Length; i++) sum += w[i] >= cut ? w[i] : T.Zero;
            if (sum > T.Zero)
            {
                for (int i = 0; i < w.Length; i++) w[i] = w[i] >= cut ? w[i] / sum : T.Zero;
                return;
            }
        }
        w.Clear();
        w[best] = T.One;
    }
}
