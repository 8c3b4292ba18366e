using System.Numerics;

namespace Ntm.Addressing;

/// <summary>
/// Convolutional shift (paper eq. 8): w~(i) = sum_j w^g(j) s(i - j mod N). The shift distribution
/// s has 2S + 1 entries for the integer shifts -S..S (entry j is shift j - S); shifts wider than N
/// wrap around and add up.
/// </summary>
internal static class Shift
{
    // wg is (N), s is (2S+1), wTilde is (N)
    public static void Forward<T>(ReadOnlySpan<T> wg, ReadOnlySpan<T> s, Span<T> wTilde) where T : IFloatingPointIeee754<T>
    {
        int n = wg.Length, range = s.Length / 2;
        wTilde.Clear();
        for (int j = 0; j < s.Length; j++)
        {
            int shift = Mod(j - range, n);   // w~(i) += s_j wg(i - shift)
            T sj = s[j];
            for (int i = 0; i < n; i++)
            {
                int src = i - shift;
                if (src < 0) src += n;
                wTilde[i] += sj * wg[src];
            }
        }
    }

    // Reverses w~(i) = sum_j s_j wg(i - shift_j): accumulates dWg(i - shift_j) += s_j dw~(i), dS_j += sum_i dw~(i) wg(i - shift_j).
    public static void Backward<T>(Span<T> dWg, Span<T> dS, ReadOnlySpan<T> dWTilde,
        ReadOnlySpan<T> wg, ReadOnlySpan<T> s) where T : IFloatingPointIeee754<T>
    {
        int n = wg.Length, range = s.Length / 2;
        for (int j = 0; j < s.Length; j++)
        {
            int shift = Mod(j - range, n);
            T sj = s[j], ds = T.Zero;
            for (int i = 0; i < n; i++)
            {
                int src = i - shift;
                if (src < 0) src += n;
                dWg[src] += sj * dWTilde[i];
                ds += dWTilde[i] * wg[src];
            }
            dS[j] += ds;
        }
    }

    private static int Mod(int a, int n)
    {
        int r = a % n;
        return r < 0 ? r + n : r;
    }
}
