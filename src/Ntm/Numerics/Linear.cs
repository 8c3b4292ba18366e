using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ntm.Numerics;

/// <summary>
/// Batched affine maps y_b = W x_b + bias for the sequences of a shard, and their backward pass.
/// W is (rows, cols) row-major; X is (batch, xStride) with the input in the first cols entries of
/// each row; Y is (batch, yStride) with the output in the first rows entries of each row.
/// The loops are register-blocked matrix products: the forward pass keeps a 4-row by 2-sequence
/// tile of accumulators so each loaded piece of W serves two sequences and each piece of x four
/// rows; the backward pass walks W and dW once per block of up to four sequences.
/// </summary>
internal static class Linear
{
    // W is (rows, cols), bias is (rows), X is (batch, xStride), Y is (batch, yStride)
    public static void Forward<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int rows, int cols,
        ReadOnlySpan<T> x, int xStride, Span<T> y, int yStride, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(w.Length, bias.Length, rows, cols, x.Length, xStride, y.Length, yStride, batch);
        if (!Simd.Enabled<T>())
        {
            for (int b = 0; b < batch; b++)
                for (int r = 0; r < rows; r++)
                    y[b * yStride + r] = Simd.Dot(w.Slice(r * cols, cols), x.Slice(b * xStride, cols)) + bias[r];
            return;
        }
        ref T pw = ref MemoryMarshal.GetReference(w);
        ref T px = ref MemoryMarshal.GetReference(x);
        ref T py = ref MemoryMarshal.GetReference(y);
        int b0 = 0;
        for (; b0 + 2 <= batch; b0 += 2)
        {
            ref T x0 = ref Unsafe.Add(ref px, b0 * xStride);
            ref T x1 = ref Unsafe.Add(ref px, (b0 + 1) * xStride);
            int r = 0;
            for (; r + 4 <= rows; r += 4) Tile4x2(ref Unsafe.Add(ref pw, r * cols), cols, ref x0, ref x1, bias.Slice(r, 4),
                ref Unsafe.Add(ref py, b0 * yStride + r), ref Unsafe.Add(ref py, (b0 + 1) * yStride + r));
            for (; r < rows; r++)
            {
                ReadOnlySpan<T> wr = w.Slice(r * cols, cols);
                y[b0 * yStride + r] = Simd.Dot(wr, x.Slice(b0 * xStride, cols)) + bias[r];
                y[(b0 + 1) * yStride + r] = Simd.Dot(wr, x.Slice((b0 + 1) * xStride, cols)) + bias[r];
            }
        }
        if (b0 < batch)
        {
            ref T x0 = ref Unsafe.Add(ref px, b0 * xStride);
            int r = 0;
            for (; r + 4 <= rows; r += 4) Tile4x1(ref Unsafe.Add(ref pw, r * cols), cols, ref x0, bias.Slice(r, 4), ref Unsafe.Add(ref py, b0 * yStride + r));
            for (; r < rows; r++) y[b0 * yStride + r] = Simd.Dot(w.Slice(r * cols, cols), x.Slice(b0 * xStride, cols)) + bias[r];
        }
    }

    // y0[0..4) = W[0..4) x0 + bias, y1[0..4) = W[0..4) x1 + bias, for four consecutive rows of W.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2<T>(ref T w, int cols, ref T x0, ref T x1, ReadOnlySpan<T> bias, ref T y0, ref T y1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T w1 = ref Unsafe.Add(ref w, cols);
        ref T w2 = ref Unsafe.Add(ref w, 2 * cols);
        ref T w3 = ref Unsafe.Add(ref w, 3 * cols);
        Vector256<T> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        int k = 0, v = Vector256<T>.Count;
        for (; k <= cols - v; k += v)
        {
            nuint o = (nuint)k;
            Vector256<T> u0 = Vector256.LoadUnsafe(ref x0, o), u1 = Vector256.LoadUnsafe(ref x1, o);
            Vector256<T> wv = Vector256.LoadUnsafe(ref w, o);
            a00 = Simd.Fma(wv, u0, a00); a01 = Simd.Fma(wv, u1, a01);
            wv = Vector256.LoadUnsafe(ref w1, o);
            a10 = Simd.Fma(wv, u0, a10); a11 = Simd.Fma(wv, u1, a11);
            wv = Vector256.LoadUnsafe(ref w2, o);
            a20 = Simd.Fma(wv, u0, a20); a21 = Simd.Fma(wv, u1, a21);
            wv = Vector256.LoadUnsafe(ref w3, o);
            a30 = Simd.Fma(wv, u0, a30); a31 = Simd.Fma(wv, u1, a31);
        }
        T s00 = Vector256.Sum(a00), s01 = Vector256.Sum(a01), s10 = Vector256.Sum(a10), s11 = Vector256.Sum(a11);
        T s20 = Vector256.Sum(a20), s21 = Vector256.Sum(a21), s30 = Vector256.Sum(a30), s31 = Vector256.Sum(a31);
        for (; k < cols; k++)
        {
            T u0 = Unsafe.Add(ref x0, k), u1 = Unsafe.Add(ref x1, k);
            T q0 = Unsafe.Add(ref w, k), q1 = Unsafe.Add(ref w1, k), q2 = Unsafe.Add(ref w2, k), q3 = Unsafe.Add(ref w3, k);
            s00 += q0 * u0; s01 += q0 * u1; s10 += q1 * u0; s11 += q1 * u1;
            s20 += q2 * u0; s21 += q2 * u1; s30 += q3 * u0; s31 += q3 * u1;
        }
        y0 = s00 + bias[0]; Unsafe.Add(ref y0, 1) = s10 + bias[1]; Unsafe.Add(ref y0, 2) = s20 + bias[2]; Unsafe.Add(ref y0, 3) = s30 + bias[3];
        y1 = s01 + bias[0]; Unsafe.Add(ref y1, 1) = s11 + bias[1]; Unsafe.Add(ref y1, 2) = s21 + bias[2]; Unsafe.Add(ref y1, 3) = s31 + bias[3];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x1<T>(ref T w, int cols, ref T x0, ReadOnlySpan<T> bias, ref T y0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T w1 = ref Unsafe.Add(ref w, cols);
        ref T w2 = ref Unsafe.Add(ref w, 2 * cols);
        ref T w3 = ref Unsafe.Add(ref w, 3 * cols);
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default;
        int k = 0, v = Vector256<T>.Count;
        for (; k <= cols - v; k += v)
        {
            nuint o = (nuint)k;
            Vector256<T> u0 = Vector256.LoadUnsafe(ref x0, o);
            a0 = Simd.Fma(Vector256.LoadUnsafe(ref w, o), u0, a0);
            a1 = Simd.Fma(Vector256.LoadUnsafe(ref w1, o), u0, a1);
            a2 = Simd.Fma(Vector256.LoadUnsafe(ref w2, o), u0, a2);
            a3 = Simd.Fma(Vector256.LoadUnsafe(ref w3, o), u0, a3);
        }
        T s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; k < cols; k++)
        {
            T u0 = Unsafe.Add(ref x0, k);
            s0 += Unsafe.Add(ref w, k) * u0; s1 += Unsafe.Add(ref w1, k) * u0;
            s2 += Unsafe.Add(ref w2, k) * u0; s3 += Unsafe.Add(ref w3, k) * u0;
        }
        y0 = s0 + bias[0]; Unsafe.Add(ref y0, 1) = s1 + bias[1]; Unsafe.Add(ref y0, 2) = s2 + bias[2]; Unsafe.Add(ref y0, 3) = s3 + bias[3];
    }

    // Reverses y_b = W x_b + bias: dW += dY^T X, dBias += sum_b dY_b, dX_b += W^T dY_b (when dX is not empty).
    public static void Backward<T>(Span<T> dw, Span<T> dbias, Span<T> dx, int dxStride,
        ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> x, int xStride,
        ReadOnlySpan<T> dy, int dyStride, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(w.Length, dbias.Length, rows, cols, x.Length, xStride, dy.Length, dyStride, batch);
        if (dw.Length < rows * cols) throw new ArgumentException("The weight gradient is too short.", nameof(dw));
        bool wantDx = !dx.IsEmpty;
        if (wantDx && (dxStride < cols || dx.Length < (batch - 1) * dxStride + cols))
            throw new ArgumentException("The input gradient is too short.", nameof(dx));

        for (int b = 0; b < batch; b++)
            for (int r = 0; r < rows; r++) dbias[r] += dy[b * dyStride + r];

        // dW(r, :) += sum_b dY(b, r) x_b, up to four sequences per pass over a row.
        for (int r = 0; r < rows; r++)
        {
            Span<T> dwr = dw.Slice(r * cols, cols);
            int b = 0;
            for (; b + 4 <= batch; b += 4)
                Axpy4(dy[b * dyStride + r], dy[(b + 1) * dyStride + r], dy[(b + 2) * dyStride + r], dy[(b + 3) * dyStride + r],
                    x.Slice(b * xStride), x.Slice((b + 1) * xStride), x.Slice((b + 2) * xStride), x.Slice((b + 3) * xStride), dwr);
            for (; b < batch; b++)
            {
                T g = dy[b * dyStride + r];
                if (g != T.Zero) Simd.Axpy(g, x.Slice(b * xStride, cols), dwr);
            }
        }

        if (!wantDx) return;
        if (!Simd.Enabled<T>())
        {
            for (int b = 0; b < batch; b++)
                for (int r = 0; r < rows; r++)
                    Simd.Axpy(dy[b * dyStride + r], w.Slice(r * cols, cols), dx.Slice(b * dxStride, cols));
            return;
        }
        // dX_b += W^T dY_b: columns of W in 256-bit strips, every row's strip scaled by dY(b, r);
        // four sequences share each loaded strip.
        int b0 = 0;
        for (; b0 + 4 <= batch; b0 += 4) InputGradient4(dx, dxStride, w, rows, cols, dy, dyStride, b0);
        for (; b0 < batch; b0++) InputGradient1(dx.Slice(b0 * dxStride, cols), w, rows, cols, dy.Slice(b0 * dyStride, rows));
    }

    private static void InputGradient4<T>(Span<T> dx, int dxStride, ReadOnlySpan<T> w, int rows, int cols,
        ReadOnlySpan<T> dy, int dyStride, int b0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pw = ref MemoryMarshal.GetReference(w);
        ref T d0 = ref MemoryMarshal.GetReference(dx.Slice(b0 * dxStride, cols));
        ref T d1 = ref MemoryMarshal.GetReference(dx.Slice((b0 + 1) * dxStride, cols));
        ref T d2 = ref MemoryMarshal.GetReference(dx.Slice((b0 + 2) * dxStride, cols));
        ref T d3 = ref MemoryMarshal.GetReference(dx.Slice((b0 + 3) * dxStride, cols));
        ReadOnlySpan<T> g0 = dy.Slice(b0 * dyStride, rows), g1 = dy.Slice((b0 + 1) * dyStride, rows);
        ReadOnlySpan<T> g2 = dy.Slice((b0 + 2) * dyStride, rows), g3 = dy.Slice((b0 + 3) * dyStride, rows);
        int v = Vector256<T>.Count, k = 0;
        for (; k <= cols - v; k += v)
        {
            nuint o = (nuint)k;
            Vector256<T> a0 = Vector256.LoadUnsafe(ref d0, o), a1 = Vector256.LoadUnsafe(ref d1, o);
            Vector256<T> a2 = Vector256.LoadUnsafe(ref d2, o), a3 = Vector256.LoadUnsafe(ref d3, o);
            for (int r = 0; r < rows; r++)
            {
                Vector256<T> wv = Vector256.LoadUnsafe(ref pw, (nuint)(r * cols + k));
                a0 = Simd.Fma(Vector256.Create(g0[r]), wv, a0);
                a1 = Simd.Fma(Vector256.Create(g1[r]), wv, a1);
                a2 = Simd.Fma(Vector256.Create(g2[r]), wv, a2);
                a3 = Simd.Fma(Vector256.Create(g3[r]), wv, a3);
            }
            a0.StoreUnsafe(ref d0, o); a1.StoreUnsafe(ref d1, o); a2.StoreUnsafe(ref d2, o); a3.StoreUnsafe(ref d3, o);
        }
        for (; k < cols; k++)
        {
            T s0 = Unsafe.Add(ref d0, k), s1 = Unsafe.Add(ref d1, k), s2 = Unsafe.Add(ref d2, k), s3 = Unsafe.Add(ref d3, k);
            for (int r = 0; r < rows; r++)
            {
                T wv = w[r * cols + k];
                s0 += g0[r] * wv; s1 += g1[r] * wv; s2 += g2[r] * wv; s3 += g3[r] * wv;
            }
            Unsafe.Add(ref d0, k) = s0; Unsafe.Add(ref d1, k) = s1; Unsafe.Add(ref d2, k) = s2; Unsafe.Add(ref d3, k) = s3;
        }
    }

    private static void InputGradient1<T>(Span<T> dxb, ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T pw = ref MemoryMarshal.GetReference(w);
        ref T pdx = ref MemoryMarshal.GetReference(dxb);
        int v = Vector256<T>.Count, full = cols - cols % v, k = 0;
        for (; k + 4 * v <= full; k += 4 * v)
        {
            nuint o = (nuint)k;
            Vector256<T> a0 = Vector256.LoadUnsafe(ref pdx, o), a1 = Vector256.LoadUnsafe(ref pdx, o + (nuint)v);
            Vector256<T> a2 = Vector256.LoadUnsafe(ref pdx, o + (nuint)(2 * v)), a3 = Vector256.LoadUnsafe(ref pdx, o + (nuint)(3 * v));
            for (int r = 0; r < rows; r++)
            {
                Vector256<T> gr = Vector256.Create(g[r]);
                ref T wr = ref Unsafe.Add(ref pw, r * cols + k);
                a0 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr), a0);
                a1 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, (nuint)v), a1);
                a2 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, (nuint)(2 * v)), a2);
                a3 = Simd.Fma(gr, Vector256.LoadUnsafe(ref wr, (nuint)(3 * v)), a3);
            }
            a0.StoreUnsafe(ref pdx, o); a1.StoreUnsafe(ref pdx, o + (nuint)v);
            a2.StoreUnsafe(ref pdx, o + (nuint)(2 * v)); a3.StoreUnsafe(ref pdx, o + (nuint)(3 * v));
        }
        for (; k < full; k += v)
        {
            Vector256<T> a0 = Vector256.LoadUnsafe(ref pdx, (nuint)k);
            for (int r = 0; r < rows; r++)
                a0 = Simd.Fma(Vector256.Create(g[r]), Vector256.LoadUnsafe(ref pw, (nuint)(r * cols + k)), a0);
            a0.StoreUnsafe(ref pdx, (nuint)k);
        }
        for (; k < cols; k++)
        {
            T s = dxb[k];
            for (int r = 0; r < rows; r++) s += g[r] * w[r * cols + k];
            dxb[k] = s;
        }
    }

    // y += g0 x0 + g1 x1 + g2 x2 + g3 x3 over y.Length entries, reading and writing y once.
    private static void Axpy4<T>(T g0, T g1, T g2, T g3, ReadOnlySpan<T> x0, ReadOnlySpan<T> x1,
        ReadOnlySpan<T> x2, ReadOnlySpan<T> x3, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = y.Length, k = 0;
        if (x0.Length < n || x1.Length < n || x2.Length < n || x3.Length < n) throw new ArgumentException("Inputs are too short.");
        ref T p0 = ref MemoryMarshal.GetReference(x0);
        ref T p1 = ref MemoryMarshal.GetReference(x1);
        ref T p2 = ref MemoryMarshal.GetReference(x2);
        ref T p3 = ref MemoryMarshal.GetReference(x3);
        ref T py = ref MemoryMarshal.GetReference(y);
        if (Simd.Enabled<T>())
        {
            Vector256<T> v0 = Vector256.Create(g0), v1 = Vector256.Create(g1), v2 = Vector256.Create(g2), v3 = Vector256.Create(g3);
            for (; k <= n - Vector256<T>.Count; k += Vector256<T>.Count)
            {
                nuint o = (nuint)k;
                Vector256<T> acc = Vector256.LoadUnsafe(ref py, o);
                acc = Simd.Fma(v0, Vector256.LoadUnsafe(ref p0, o), acc);
                acc = Simd.Fma(v1, Vector256.LoadUnsafe(ref p1, o), acc);
                acc = Simd.Fma(v2, Vector256.LoadUnsafe(ref p2, o), acc);
                acc = Simd.Fma(v3, Vector256.LoadUnsafe(ref p3, o), acc);
                acc.StoreUnsafe(ref py, o);
            }
        }
        for (; k < n; k++)
            Unsafe.Add(ref py, k) += g0 * Unsafe.Add(ref p0, k) + g1 * Unsafe.Add(ref p1, k) + g2 * Unsafe.Add(ref p2, k) + g3 * Unsafe.Add(ref p3, k);
    }

    // Every access above is within these bounds once they hold, so the unchecked loads stay inside the spans.
    private static void CheckShapes(int wLength, int biasLength, int rows, int cols, int xLength, int xStride,
        int yLength, int yStride, int batch)
    {
        if (rows < 0 || cols < 0 || batch < 0) throw new ArgumentException("Negative size.");
        if (batch == 0) return;
        if (wLength < rows * cols || biasLength < rows) throw new ArgumentException("The weights are too short.");
        if (xStride < cols || xLength < (batch - 1) * xStride + cols) throw new ArgumentException("The input is too short.");
        if (yStride < rows || yLength < (batch - 1) * yStride + rows) throw new ArgumentException("The output is too short.");
    }
}
