using System.Numerics;
using Ntm.Numerics;

namespace Ntm.Addressing;

/// <summary>
/// Convolutional shift (paper eq. 8): w~(i) = sum_j w^g(j) s(i - j mod N). The shift distribution
/// s has 2S + 1 entries for the integer shifts -S..S (entry j is shift j - S); shifts wider than N
/// wrap around and add up.
/// </summary>
internal static class Shift
{
    // wg is (N), s is (2S+1), wTilde is (N). Each shift is two contiguous runs of the circle,
    // w~[sh..N) += s_j wg[0..N-sh) and w~[0..sh) += s_j wg[N-sh..N), done with vector loops.
    public static void Forward<T>(ReadOnlySpan<T> wg, ReadOnlySpan<T> s, Span<T> wTilde) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = wg.Length, range = s.Length / 2;
        wTilde.Slice(0, n).Clear();
        for (int j = 0; j < s.Length; j++)
        {
            int sh = Mod(j - range, n);   // w~(i) += s_j wg(i - sh)
            Simd.Axpy(s[j], wg.Slice(0, n - sh), wTilde.Slice(sh, n - sh));
            Simd.Axpy(s[j], wg.Slice(n - sh, sh), wTilde.Slice(0, sh));
        }
    }

    // Reverses w~(i) = sum_j s_j wg(i - shift_j): accumulates dWg(i - shift_j) += s_j dw~(i), dS_j += sum_i dw~(i) wg(i - shift_j).
    public static void Backward<T>(Span<T> dWg, Span<T> dS, ReadOnlySpan<T> dWTilde,
        ReadOnlySpan<T> wg, ReadOnlySpan<T> s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = wg.Length, range = s.Length / 2;
        for (int j = 0; j < s.Length; j++)
        {
            int sh = Mod(j - range, n);
            Simd.Axpy(s[j], dWTilde.Slice(sh, n - sh), dWg.Slice(0, n - sh));
            Simd.Axpy(s[j], dWTilde.Slice(0, sh), dWg.Slice(n - sh, sh));
            dS[j] += Simd.Dot(dWTilde.Slice(sh, n - sh), wg.Slice(0, n - sh)) + Simd.Dot(dWTilde.Slice(0, sh), wg.Slice(n - sh, sh));
        }
    }

    private static int Mod(int a, int n)
    {
        int r = a % n;
        return r < 0 ? r + n : r;
    }
}
