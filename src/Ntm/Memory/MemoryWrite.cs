using System.Numerics;

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
        ReadOnlySpan<T> add, int heads, int rows, int width) where T : IFloatingPointIeee754<T>
    {
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
        int heads, int rows, int width) where T : IFloatingPointIeee754<T>
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

    private static void BackwardOneHead<T>(Span<T> dPrev, Span<T> dW, Span<T> dErase, Span<T> dAdd, ReadOnlySpan<T> dNext,
        ReadOnlySpan<T> prev, ReadOnlySpan<T> w, ReadOnlySpan<T> erase, ReadOnlySpan<T> add, int rows, int width)
        where T : IFloatingPointIeee754<T>
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
