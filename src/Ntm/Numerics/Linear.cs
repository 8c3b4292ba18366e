using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ntm.Numerics;

/// <summary>
/// Batched affine maps y_b = W x_b + bias for the sequences of a shard, and their backward pass.
/// W is (rows, cols) row-major; X is (batch, xStride) with the input in the first cols entries of
/// each row; Y is (batch, yStride) with the output in the first rows entries of each row.
/// In single precision, the forward pass and the input gradient of several sequences, and every
/// weight gradient, go through the <see cref="Gemm"/> kernels; one sequence (and double precision,
/// which the gradient checks use) through the register-blocked loops here: the forward pass keeps
/// a 4-row by 2-sequence tile of accumulators so each loaded piece of W serves two sequences and
/// each piece of x four rows. The backward pass is split: <see cref="InputGradient"/> runs every
/// time step, and <see cref="WeightGradient"/> is one matrix-matrix product over all the steps of a sequence.
/// </summary>
internal static class Linear
{
    // W is (rows, cols), bias is (rows), X is (batch, xStride), Y is (batch, yStride)
    public static void Forward<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int rows, int cols,
        ReadOnlySpan<T> x, int xStride, Span<T> y, int yStride, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(w.Length, bias.Length, rows, cols, x.Length, xStride, y.Length, yStride, batch);
        if (typeof(T) == typeof(float) && batch > 1)
        {
            // Several sequences: the matrix-product kernel (a single one keeps the loop below, and its numbers).
            Gemm.Forward(Gemm.Best, F(w), F(bias), rows, cols, F(x), xStride, F(y), yStride, batch);
            return;
        }
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
        WeightGradient(dw, dbias, rows, cols, x, xStride, dy, dyStride, batch);
        if (!dx.IsEmpty) InputGradient(dx, dxStride, w, rows, cols, dy, dyStride, batch);
    }

    /// <summary>
    /// dW += dY^T X and dBias += sum_n dY_n over <paramref name="count"/> rows of X and dY: a
    /// matrix-matrix product, so a recurrent net can gather the gradient of every time step in one
    /// pass at the end of backpropagation instead of updating dW once per step.
    /// </summary>
    public static void WeightGradient<T>(Span<T> dw, Span<T> dbias, int rows, int cols, ReadOnlySpan<T> x, int xStride,
        ReadOnlySpan<T> dy, int dyStride, int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShapes(dw.Length, dbias.Length, rows, cols, x.Length, xStride, dy.Length, dyStride, count);
        for (int n = 0; n < count; n++)
            for (int r = 0; r < rows; r++) dbias[r] += dy[n * dyStride + r];
        if (typeof(T) == typeof(float))
        {
            // Every entry of dW is the same chain of multiply-adds as in the loops below, so the
            // numbers do not change; the rows past the last multiple of 4 keep those loops.
            int rows4 = rows & ~3;
            Gemm.WeightGradient(Gemm.Best, F(dw), rows4, cols, F(x), xStride, F(dy), dyStride, count);
            for (int r = rows4; r < rows; r++)
                for (int n = 0; n < count; n++)
                    Simd.Axpy(dy[n * dyStride + r], x.Slice(n * xStride, cols), dw.Slice(r * cols, cols));
            return;
        }
        if (!Simd.Enabled<T>())
        {
            for (int n = 0; n < count; n++)
                for (int r = 0; r < rows; r++)
                    Simd.Axpy(dy[n * dyStride + r], x.Slice(n * xStride, cols), dw.Slice(r * cols, cols));
            return;
        }
        ref T pdw = ref MemoryMarshal.GetReference(dw);
        ref T px = ref MemoryMarshal.GetReference(x);
        ref T pg = ref MemoryMarshal.GetReference(dy);
        int v = Vector256<T>.Count, r0 = 0;
        for (; r0 + 4 <= rows; r0 += 4)
        {
            ref T d0 = ref Unsafe.Add(ref pdw, r0 * cols);
            ref T d1 = ref Unsafe.Add(ref d0, cols);
            ref T d2 = ref Unsafe.Add(ref d0, 2 * cols);
            ref T d3 = ref Unsafe.Add(ref d0, 3 * cols);
            int k = 0;
            // A 4-row by one-strip tile of dW stays in registers while every row of X and dY goes by.
            for (; k + 2 * v <= cols; k += 2 * v)
            {
                nuint o = (nuint)k, o2 = (nuint)(k + v);
                Vector256<T> a0 = Vector256.LoadUnsafe(ref d0, o), b0 = Vector256.LoadUnsafe(ref d0, o2);
                Vector256<T> a1 = Vector256.LoadUnsafe(ref d1, o), b1 = Vector256.LoadUnsafe(ref d1, o2);
                Vector256<T> a2 = Vector256.LoadUnsafe(ref d2, o), b2 = Vector256.LoadUnsafe(ref d2, o2);
                Vector256<T> a3 = Vector256.LoadUnsafe(ref d3, o), b3 = Vector256.LoadUnsafe(ref d3, o2);
                for (int n = 0; n < count; n++)
                {
                    ref T xn = ref Unsafe.Add(ref px, n * xStride);
                    ref T gn = ref Unsafe.Add(ref pg, n * dyStride + r0);
                    Vector256<T> x0 = Vector256.LoadUnsafe(ref xn, o), x1 = Vector256.LoadUnsafe(ref xn, o2);
                    Vector256<T> g = Vector256.Create(gn);
                    a0 = Simd.Fma(g, x0, a0); b0 = Simd.Fma(g, x1, b0);
                    g = Vector256.Create(Unsafe.Add(ref gn, 1));
                    a1 = Simd.Fma(g, x0, a1); b1 = Simd.Fma(g, x1, b1);
                    g = Vector256.Create(Unsafe.Add(ref gn, 2));
                    a2 = Simd.Fma(g, x0, a2); b2 = Simd.Fma(g, x1, b2);
                    g = Vector256.Create(Unsafe.Add(ref gn, 3));
                    a3 = Simd.Fma(g, x0, a3); b3 = Simd.Fma(g, x1, b3);
                }
                a0.StoreUnsafe(ref d0, o); b0.StoreUnsafe(ref d0, o2);
                a1.StoreUnsafe(ref d1, o); b1.StoreUnsafe(ref d1, o2);
                a2.StoreUnsafe(ref d2, o); b2.StoreUnsafe(ref d2, o2);
                a3.StoreUnsafe(ref d3, o); b3.StoreUnsafe(ref d3, o2);
            }
            for (; k + v <= cols; k += v)
            {
                nuint o = (nuint)k;
                Vector256<T> a0 = Vector256.LoadUnsafe(ref d0, o), a1 = Vector256.LoadUnsafe(ref d1, o);
                Vector256<T> a2 = Vector256.LoadUnsafe(ref d2, o), a3 = Vector256.LoadUnsafe(ref d3, o);
                for (int n = 0; n < count; n++)
                {
                    ref T gn = ref Unsafe.Add(ref pg, n * dyStride + r0);
                    Vector256<T> x0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref px, n * xStride), o);
                    a0 = Simd.Fma(Vector256.Create(gn), x0, a0);
                    a1 = Simd.Fma(Vector256.Create(Unsafe.Add(ref gn, 1)), x0, a1);
                    a2 = Simd.Fma(Vector256.Create(Unsafe.Add(ref gn, 2)), x0, a2);
                    a3 = Simd.Fma(Vector256.Create(Unsafe.Add(ref gn, 3)), x0, a3);
                }
                a0.StoreUnsafe(ref d0, o); a1.StoreUnsafe(ref d1, o); a2.StoreUnsafe(ref d2, o); a3.StoreUnsafe(ref d3, o);
            }
            for (; k < cols; k++)
            {
                T s0 = Unsafe.Add(ref d0, k), s1 = Unsafe.Add(ref d1, k), s2 = Unsafe.Add(ref d2, k), s3 = Unsafe.Add(ref d3, k);
                for (int n = 0; n < count; n++)
                {
                    T xv = Unsafe.Add(ref px, n * xStride + k);
                    ref T gn = ref Unsafe.Add(ref pg, n * dyStride + r0);
                    s0 += gn * xv; s1 += Unsafe.Add(ref gn, 1) * xv; s2 += Unsafe.Add(ref gn, 2) * xv; s3 += Unsafe.Add(ref gn, 3) * xv;
                }
                Unsafe.Add(ref d0, k) = s0; Unsafe.Add(ref d1, k) = s1; Unsafe.Add(ref d2, k) = s2; Unsafe.Add(ref d3, k) = s3;
            }
        }
        for (; r0 < rows; r0++)
            for (int n = 0; n < count; n++)
                Simd.Axpy(dy[n * dyStride + r0], x.Slice(n * xStride, cols), dw.Slice(r0 * cols, cols));
    }

    /// <summary>dX_b += W^T dY_b for <paramref name="batch"/> rows.</summary>
    public static void InputGradient<T>(Span<T> dx, int dxStride, ReadOnlySpan<T> w, int rows, int cols,
        ReadOnlySpan<T> dy, int dyStride, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows < 0 || cols < 0 || batch < 0) throw new ArgumentException("Negative size.");
        if (batch == 0) return;
        if (w.Length < rows * cols) throw new ArgumentException("The weights are too short.", nameof(w));
        if (dyStride < rows || dy.Length < (batch - 1) * dyStride + rows) throw new ArgumentException("The output gradient is too short.", nameof(dy));
        if (dxStride < cols || dx.Length < (batch - 1) * dxStride + cols) throw new ArgumentException("The input gradient is too short.", nameof(dx));
        if (typeof(T) == typeof(float) && batch > 1)
        {
            Gemm.InputGradient(Gemm.Best, F(dx), dxStride, F(w), rows, cols, F(dy), dyStride, batch);
            return;
        }
        if (!Simd.Enabled<T>())
        {
            for (int b = 0; b < batch; b++)
                for (int r = 0; r < rows; r++)
                    Simd.Axpy(dy[b * dyStride + r], w.Slice(r * cols, cols), dx.Slice(b * dxStride, cols));
            return;
        }
        // Columns of W in 256-bit strips, every row's strip scaled by dY(b, r); four sequences share each loaded strip.
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
        // Two strips by four sequences: eight independent multiply-add chains per row of W.
        for (; k + 2 * v <= cols; k += 2 * v)
        {
            nuint o = (nuint)k, p = (nuint)(k + v);
            Vector256<T> a0 = Vector256.LoadUnsafe(ref d0, o), a1 = Vector256.LoadUnsafe(ref d1, o);
            Vector256<T> a2 = Vector256.LoadUnsafe(ref d2, o), a3 = Vector256.LoadUnsafe(ref d3, o);
            Vector256<T> c0 = Vector256.LoadUnsafe(ref d0, p), c1 = Vector256.LoadUnsafe(ref d1, p);
            Vector256<T> c2 = Vector256.LoadUnsafe(ref d2, p), c3 = Vector256.LoadUnsafe(ref d3, p);
            for (int r = 0; r < rows; r++)
            {
                ref T wr = ref Unsafe.Add(ref pw, r * cols + k);
                Vector256<T> wv = Vector256.LoadUnsafe(ref wr), wu = Vector256.LoadUnsafe(ref wr, (nuint)v);
                Vector256<T> h0 = Vector256.Create(g0[r]), h1 = Vector256.Create(g1[r]), h2 = Vector256.Create(g2[r]), h3 = Vector256.Create(g3[r]);
                a0 = Simd.Fma(h0, wv, a0); c0 = Simd.Fma(h0, wu, c0);
                a1 = Simd.Fma(h1, wv, a1); c1 = Simd.Fma(h1, wu, c1);
                a2 = Simd.Fma(h2, wv, a2); c2 = Simd.Fma(h2, wu, c2);
                a3 = Simd.Fma(h3, wv, a3); c3 = Simd.Fma(h3, wu, c3);
            }
            a0.StoreUnsafe(ref d0, o); a1.StoreUnsafe(ref d1, o); a2.StoreUnsafe(ref d2, o); a3.StoreUnsafe(ref d3, o);
            c0.StoreUnsafe(ref d0, p); c1.StoreUnsafe(ref d1, p); c2.StoreUnsafe(ref d2, p); c3.StoreUnsafe(ref d3, p);
        }
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

    // One sequence: ColumnInputGradient over every column (256-bit strips, the rows two at a time into two
    // chains), the kernel threads sharing one sequence's step split by columns, so both give the same numbers.
    private static void InputGradient1<T>(Span<T> dxb, ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ColumnInputGradient.Accumulate(dxb, w, rows, cols, g, 0, cols);

    private static Span<float> F<T>(Span<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);
    private static ReadOnlySpan<float> F<T>(ReadOnlySpan<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);

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
