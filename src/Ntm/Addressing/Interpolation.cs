using System.Numerics;

namespace Ntm.Addressing;

/// <summary>Interpolation gate (paper eq. 7): w^g = g w^c + (1 - g) w_{t-1}.</summary>
internal static class Interpolation
{
    // wc, wPrev, wg are (N); g in (0, 1)
    public static void Forward<T>(ReadOnlySpan<T> wc, ReadOnlySpan<T> wPrev, T g, Span<T> wg) where T : IFloatingPointIeee754<T>
    {
        T h = T.One - g;
        for (int i = 0; i < wg.Length; i++) wg[i] = g * wc[i] + h * wPrev[i];
    }

    // Reverses wg = g wc + (1 - g) wPrev: accumulates dWc, dWPrev; returns dg = sum_i dwg_i (wc_i - wPrev_i).
    public static T Backward<T>(Span<T> dWc, Span<T> dWPrev, ReadOnlySpan<T> dWg,
        ReadOnlySpan<T> wc, ReadOnlySpan<T> wPrev, T g) where T : IFloatingPointIeee754<T>
    {
        T h = T.One - g, dg = T.Zero;
        for (int i = 0; i < dWg.Length; i++)
        {
            dWc[i] += g * dWg[i];
            dWPrev[i] += h * dWg[i];
            dg += dWg[i] * (wc[i] - wPrev[i]);
        }
        return dg;
    }
}
