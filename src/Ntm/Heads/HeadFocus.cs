using System.Numerics;

namespace Ntm.Heads;

/// <summary>
/// How sharply a weighting focuses (for diagnosing where a trained machine breaks): the row with the
/// largest weight, that weight, and the weighting's entropy -sum_i w(i) ln w(i) in nats (0 for a
/// one-hot weighting, ln N for a uniform one).
/// </summary>
internal static class HeadFocus
{
    // w is (N), a distribution.
    public static void Measure<T>(ReadOnlySpan<T> w, out int row, out T weight, out T entropy) where T : unmanaged, IFloatingPointIeee754<T>
    {
        row = 0;
        weight = w[0];
        T h = T.Zero;
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] > weight) { weight = w[i]; row = i; }
            if (w[i] > T.Zero) h -= w[i] * T.Log(w[i]);
        }
        entropy = h;
    }
}
