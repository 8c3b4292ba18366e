using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ntm.Numerics;

/// <summary>
/// The input gradient dx += W^T dy of one sequence over a range of W's columns only, so that
/// threads can share one product by output columns: each entry of dx is summed over every row of W
/// in the same order whichever range it falls in, so the result does not depend on how the columns
/// are split. Columns go in 256-bit strips with the rows taken two at a time into two chains
/// (even and odd rows, added at the end), the remainder past the last whole strip one scalar chain.
/// </summary>
internal static class ColumnInputGradient
{
    /// <summary>
    /// Where a range of columns may start (and end, unless it ends at the last column) for the
    /// result not to depend on the split: a whole 256-bit strip of <typeparamref name="T"/>.
    /// </summary>
    public static int Alignment<T>() where T : unmanaged => Vector256<T>.Count;

    // w is (rows, cols), dy is (rows), dx is (cols): dx[c0, c1) += (W^T dy)[c0, c1).
    public static void Accumulate<T>(Span<T> dx, ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> dy, int c0, int c1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = Alignment<T>();
        if (rows < 0 || cols < 0 || c0 < 0 || c1 > cols || c0 > c1) throw new ArgumentException("The column range is outside the matrix.");
        if (c0 == c1) return;
        if (c0 % v != 0 || (c1 % v != 0 && c1 != cols)) throw new ArgumentException($"A column range must start and end on a multiple of {v} (or end at the last column).");
        if (w.Length < rows * cols || dy.Length < rows || dx.Length < cols) throw new ArgumentException("An operand is too short.");
        if (!Simd.Enabled<T>())
        {
            for (int r = 0; r < rows; r++)
            {
                T g = dy[r];
                for (int k = c0; k < c1; k++) dx[k] += g * w[r * cols + k];
            }
            return;
        }
        ref T pw = ref MemoryMarshal.GetReference(w);
        ref T pdx = ref MemoryMarshal.GetReference(dx);
        int full = Math.Min(c1, cols - cols % v), k0 = c0, pairs = rows & ~1;
        nuint v1 = (nuint)v, v2 = (nuint)(2 * v), v3 = (nuint)(3 * v);
        for (; k0 + 4 * v <= full; k0 += 4 * v)
        {
            nuint o = (nuint)k0;
            Vector256<T> a0 = Vector256.LoadUnsafe(ref pdx, o), a1 = Vector256.LoadUnsafe(ref pdx, o + v1);
            Vector256<T> a2 = Vector256.LoadUnsafe(ref pdx, o + v2), a3 = Vector256.LoadUnsafe(ref pdx, o + v3);
            Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default;
            int r = 0;
            for (; r < pairs; r += 2)
            {
                Vector256<T> gr = Vector256.Create(dy[r]), gs = Vector256.Create(dy[r + 1]);
                ref T wr = ref System.Runtime.CompilerServices.Unsafe.Add(ref pw, r * cols + k0);
                ref T ws = ref System.Runtime.CompilerServices.Unsafe.Add(ref wr, cols);
                a0 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr), a0);
                a1 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v1), a1);
                a2 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v2), a2);
                a3 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v3), a3);
                b0 = Simd.Fma(gs, Vector256.LoadUnsafe(ref ws), b0);
                b1 = Simd.Fma(gs, Vector256.LoadUnsafe(ref ws, v1), b1);
                b2 = Simd.Fma(gs, Vector256.LoadUnsafe(ref ws, v2), b2);
                b3 = Simd.Fma(gs, Vector256.LoadUnsafe(ref ws, v3), b3);
            }
            if (r < rows)
            {
                Vector256<T> gr = Vector256.Create(dy[r]);
                ref T wr = ref System.Runtime.CompilerServices.Unsafe.Add(ref pw, r * cols + k0);
                a0 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr), a0);
                a1 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v1), a1);
                a2 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v2), a2);
                a3 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, v3), a3);
            }
            (a0 + b0).StoreUnsafe(ref pdx, o); (a1 + b1).StoreUnsafe(ref pdx, o + v1);
            (a2 + b2).StoreUnsafe(ref pdx, o + v2); (a3 + b3).StoreUnsafe(ref pdx, o + v3);
        }
        for (; k0 + v <= full; k0 += v)
        {
            Vector256<T> a0 = Vector256.LoadUnsafe(ref pdx, (nuint)k0), b0 = default;
            int r = 0;
            for (; r < pairs; r += 2)
            {
                a0 = Simd.Fma(Vector256.Create(dy[r]), Vector256.LoadUnsafe(ref pw, (nuint)(r * cols + k0)), a0);
                b0 = Simd.Fma(Vector256.Create(dy[r + 1]), Vector256.LoadUnsafe(ref pw, (nuint)((r + 1) * cols + k0)), b0);
            }
            if (r < rows) a0 = Simd.Fma(Vector256.Create(dy[r]), Vector256.LoadUnsafe(ref pw, (nuint)(r * cols + k0)), a0);
            (a0 + b0).StoreUnsafe(ref pdx, (nuint)k0);
        }
        for (; k0 < c1; k0++)
        {
            T s = dx[k0];
            for (int r = 0; r < rows; r++) s += dy[r] * w[r * cols + k0];
            dx[k0] = s;
        }
    }
}
