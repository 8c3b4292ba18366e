using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Ntm.Numerics;

namespace Ntm.Memory;

/// <summary>
/// Writing (paper eq. 3-4): every write head erases, then adds.
/// M_t(i) = M_{t-1}(i) * prod_h (1 - w_h(i) e_h) + sum_h w_h(i) a_h. The erases multiply and the
/// adds sum, so the order of the heads does not matter.
/// </summary>
internal static class MemoryWrite
{
    // prev and next are (N, M); w[h] is (N); erase[h], add[h] are (M); heads = number of write heads.
    // w, erase and add are packed: head h's vectors start at h * N (w) and h * M (erase, add).
    public static void Forward<T>(ReadOnlySpan<T> prev, Span<T> next, ReadOnlySpan<T> w, ReadOnlySpan<T> erase,
        ReadOnlySpan<T> add, int heads, int rows, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (heads == 1)
        {
            ForwardOneHead(prev, next, w, erase, add, rows, width);
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < width; j++)
            {
                T keep = T.One, added = T.Zero;
                for (int h = 0; h < heads; h++)
                {
                    T wi = w[h * rows + i];
                    keep *= T.One - wi * erase[h * width + j];
                    added += wi * add[h * width + j];
                }
                next[i * width + j] = prev[i * width + j] * keep + added;
            }
        }
    }

    // Reverses Forward. Accumulates dPrev (N, M), dW (heads, N), dErase (heads, M), dAdd (heads, M) from dNext (N, M).
    public static void Backward<T>(Span<T> dPrev, Span<T> dW, Span<T> dErase, Span<T> dAdd, ReadOnlySpan<T> dNext,
        ReadOnlySpan<T> prev, ReadOnlySpan<T> w, ReadOnlySpan<T> erase, ReadOnlySpan<T> add,
        int heads, int rows, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (heads == 1)
        {
            BackwardOneHead(dPrev, dW, dErase, dAdd, dNext, prev, w, erase, add, rows, width);
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < width; j++)
            {
                T g = dNext[i * width + j];
                if (g == T.Zero) continue;
                T p = prev[i * width + j];
                T keepAll = T.One;
                for (int h = 0; h < heads; h++) keepAll *= T.One - w[h * rows + i] * erase[h * width + j];
                dPrev[i * width + j] += g * keepAll;
                for (int h = 0; h < heads; h++)
                {
                    T keepOthers = T.One;   // prod over the other heads, without dividing by a factor that may be 0
                    for (int o = 0; o < heads; o++)
                        if (o != h) keepOthers *= T.One - w[o * rows + i] * erase[o * width + j];
                    T wi = w[h * rows + i], ej = erase[h * width + j];
                    T dKeep = g * p * keepOthers;            // d/d(1 - w e)
                    dW[h * rows + i] += g * add[h * width + j] - dKeep * ej;
                    dErase[h * width + j] -= dKeep * wi;
                    dAdd[h * width + j] += g * wi;
                }
            }
        }
    }

    // One write head: M_t(i) = M_{t-1}(i) + w(i) (a - M_{t-1}(i) e), row by row in 256-bit strips.
    private static void ForwardOneHead<T>(ReadOnlySpan<T> prev, Span<T> next, ReadOnlySpan<T> w, ReadOnlySpan<T> erase,
        ReadOnlySpan<T> add, int rows, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (prev.Length < rows * width || next.Length < rows * width || w.Length < rows || erase.Length < width || add.Length < width)
            throw new ArgumentException("A write operand is too short.");
        int v = Vector256<T>.Count, full = Simd.Enabled<T>() ? width - width % v : 0;
        ref T pe = ref MemoryMarshal.GetReference(erase);
        ref T pa = ref MemoryMarshal.GetReference(add);
        for (int i = 0; i < rows; i++)
        {
            T wi = w[i];
            int o = i * width;
            ref T pp = ref MemoryMarshal.GetReference(prev.Slice(o, width));
            ref T pn = ref MemoryMarshal.GetReference(next.Slice(o, width));
            Vector256<T> wv = Vector256.Create(wi);
            int j = 0;
            for (; j < full; j += v)
            {
                Vector256<T> p = Vector256.LoadUnsafe(ref pp, (nuint)j);
                Vector256<T> d = Vector256.LoadUnsafe(ref pa, (nuint)j) - p * Vector256.LoadUnsafe(ref pe, (nuint)j);
                Simd.Fma(wv, d, p).StoreUnsafe(ref pn, (nuint)j);
            }
            for (; j < width; j++)
            {
                T p = Unsafe.Add(ref pp, j);
                Unsafe.Add(ref pn, j) = p * (T.One - wi * Unsafe.Add(ref pe, j)) + wi * Unsafe.Add(ref pa, j);
            }
        }
    }

    // One write head, reversed: dPrev += g (1 - w(i) e), dw(i) += g.a - (g p).e, dErase -= w(i) g p, dAdd += w(i) g.
    private static void BackwardOneHead<T>(Span<T> dPrev, Span<T> dW, Span<T> dErase, Span<T> dAdd, ReadOnlySpan<T> dNext,
        ReadOnlySpan<T> prev, ReadOnlySpan<T> w, ReadOnlySpan<T> erase, ReadOnlySpan<T> add, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Simd.Enabled<T>() || width < Vector256<T>.Count)
        {
            BackwardOneHeadScalar(dPrev, dW, dErase, dAdd, dNext, prev, w, erase, add, rows, width);
            return;
        }
        if (dPrev.Length < rows * width || dNext.Length < rows * width || prev.Length < rows * width || w.Length < rows
            || dW.Length < rows || erase.Length < width || add.Length < width || dErase.Length < width || dAdd.Length < width)
            throw new ArgumentException("A write operand is too short.");
        int v = Vector256<T>.Count, full = width - width % v;
        ref T pe = ref MemoryMarshal.GetReference(erase);
        ref T pa = ref MemoryMarshal.GetReference(add);
        ref T pde = ref MemoryMarshal.GetReference(dErase);
        ref T pda = ref MemoryMarshal.GetReference(dAdd);
        for (int i = 0; i < rows; i++)
        {
            T wi = w[i];
            int o = i * width;
            ref T pg = ref MemoryMarshal.GetReference(dNext.Slice(o, width));
            ref T pp = ref MemoryMarshal.GetReference(prev.Slice(o, width));
            ref T pdp = ref MemoryMarshal.GetReference(dPrev.Slice(o, width));
            Vector256<T> wv = Vector256.Create(wi), dwv = Vector256<T>.Zero;
            int j = 0;
            for (; j < full; j += v)
            {
                nuint q = (nuint)j;
                Vector256<T> g = Vector256.LoadUnsafe(ref pg, q), e = Vector256.LoadUnsafe(ref pe, q);
                Vector256<T> gp = g * Vector256.LoadUnsafe(ref pp, q);
                (Vector256.LoadUnsafe(ref pdp, q) + g - wv * (g * e)).StoreUnsafe(ref pdp, q);
                dwv += g * Vector256.LoadUnsafe(ref pa, q) - gp * e;
                (Vector256.LoadUnsafe(ref pde, q) - wv * gp).StoreUnsafe(ref pde, q);
                Simd.Fma(wv, g, Vector256.LoadUnsafe(ref pda, q)).StoreUnsafe(ref pda, q);
            }
            T dwi = Vector256.Sum(dwv);
            for (; j < width; j++)
            {
                T g = Unsafe.Add(ref pg, j), p = Unsafe.Add(ref pp, j), ej = Unsafe.Add(ref pe, j);
                Unsafe.Add(ref pdp, j) += g * (T.One - wi * ej);
                T gp = g * p;
                dwi += g * Unsafe.Add(ref pa, j) - gp * ej;
                Unsafe.Add(ref pde, j) -= gp * wi;
                Unsafe.Add(ref pda, j) += g * wi;
            }
            dW[i] += dwi;
        }
    }

    private static void BackwardOneHeadScalar<T>(Span<T> dPrev, Span<T> dW, Span<T> dErase, Span<T> dAdd, ReadOnlySpan<T> dNext,
        ReadOnlySpan<T> prev, ReadOnlySpan<T> w, ReadOnlySpan<T> erase, ReadOnlySpan<T> add, int rows, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < rows; i++)
        {
            T wi = w[i], dwi = T.Zero;
            int o = i * width;
            for (int j = 0; j < width; j++)
            {
                T g = dNext[o + j];
                T p = prev[o + j];
                T ej = erase[j];
                dPrev[o + j] += g * (T.One - wi * ej);
                T gp = g * p;
                dwi += g * add[j] - gp * ej;
                dErase[j] -= gp * wi;
                dAdd[j] += g * wi;
            }
            dW[i] += dwi;
        }
    }
}
