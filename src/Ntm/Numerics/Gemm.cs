using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ntm.Numerics;

/// <summary>Which vector width the <see cref="Gemm"/> kernels run with.</summary>
internal enum GemmPath
{
    /// <summary>One float at a time, a separate multiply and add.</summary>
    Scalar,
    /// <summary>256-bit vectors (8 floats), fused multiply-add.</summary>
    Vector256,
    /// <summary>512-bit vectors (16 floats), fused multiply-add.</summary>
    Vector512,
}

/// <summary>
/// Single-precision matrix products for the affine maps of a shard of several sequences
/// (<see cref="Linear"/> calls them when the batch is above 1, and always for the weight gradient).
/// Each kernel is written once over <see cref="IGemmVector{TSelf}"/> and compiled per width, with
/// tile sizes fixed at compile time through <see cref="ITileSize"/>:
/// <list type="bullet">
/// <item><see cref="Forward"/>, Y_b = W x_b + bias: a 4-row by 4-sequence tile of vector accumulators
/// runs along the columns (each loaded piece of W serves four sequences, each piece of x four rows);
/// each accumulator is reduced once at the end, four rows at a time, and up to four columns left
/// over are added to the four sums then; otherwise the last, partial vector of a row is the vector
/// ending at the last column with the lanes already counted masked out of x.</item>
/// <item><see cref="InputGradient"/>, dX_b += W^T dY_b: a 4-vector by 4-sequence tile of dX stays
/// in registers while every row of W goes by, scaled by the broadcast dY(b, r).</item>
/// <item><see cref="WeightGradient"/>, dW += dY^T X: a 4-row by 4-vector tile of dW stays in
/// registers while the rows of X and dY go by, in blocks of <see cref="WeightGradientBlock"/> so
/// the block's rows stay in cache across the tiles. Each entry of dW is one chain of multiply-adds
/// in the order of the rows, fused over the columns below the last multiple of 8 and unfused above
/// it (those columns vectorised down the rows of dW instead), whatever the width: the same numbers
/// as the 256-bit loop it replaced.</item>
/// </list>
/// Results depend only on the inputs and the path, never on threads: the order of every sum is fixed.
/// </summary>
internal static class Gemm
{
    /// <summary>Rows of X and dY per cache block of <see cref="WeightGradient"/>.</summary>
    public const int WeightGradientBlock = 128;

    /// <summary>The widest path this processor runs in hardware.</summary>
    public static GemmPath Best { get; } = Vector512.IsHardwareAccelerated ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated ? GemmPath.Vector256 : GemmPath.Scalar;

    // ------------------------------------------------------------------ forward

    // W is (rows, cols), bias is (rows), X is (batch, xStride), Y is (batch, yStride): Y_b = W x_b + bias.
    public static void Forward(GemmPath path, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int rows, int cols,
        ReadOnlySpan<float> x, int xStride, Span<float> y, int yStride, int batch)
    {
        Check(w.Length, rows, cols, x.Length, xStride, cols, y.Length, yStride, rows, batch);
        if (bias.Length < rows) throw new ArgumentException("The bias is too short.", nameof(bias));
        if (batch == 0 || rows == 0) return;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pb = ref MemoryMarshal.GetReference(bias);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        switch (Width(path, cols))
        {
            case 16: Forward<Gemm512>(ref pw, ref pb, rows, cols, ref px, xStride, ref py, yStride, batch); break;
            case 8: Forward<Gemm256>(ref pw, ref pb, rows, cols, ref px, xStride, ref py, yStride, batch); break;
            default: Forward<Gemm1>(ref pw, ref pb, rows, cols, ref px, xStride, ref py, yStride, batch); break;
        }
    }

    private static void Forward<TV>(ref float w, ref float bias, int rows, int cols, ref float x, int xStride,
        ref float y, int yStride, int batch) where TV : struct, IGemmVector<TV>
    {
        int r = 0;
        for (; r + 4 <= rows; r += 4)
            ForwardRows<TV, Tile4>(ref Unsafe.Add(ref w, r * cols), ref Unsafe.Add(ref bias, r), cols, ref x, xStride, ref Unsafe.Add(ref y, r), yStride, batch);
        for (; r < rows; r++)
            ForwardRows<TV, Tile1>(ref Unsafe.Add(ref w, r * cols), ref Unsafe.Add(ref bias, r), cols, ref x, xStride, ref Unsafe.Add(ref y, r), yStride, batch);
    }

    private static void ForwardRows<TV, TR>(ref float w, ref float bias, int cols, ref float x, int xStride,
        ref float y, int yStride, int batch) where TV : struct, IGemmVector<TV> where TR : struct, ITileSize
    {
        int b = 0;
        for (; b + 4 <= batch; b += 4)
            ForwardTile<TV, TR, Tile4>(ref w, ref bias, cols, ref Unsafe.Add(ref x, b * xStride), xStride, ref Unsafe.Add(ref y, b * yStride), yStride);
        switch (batch - b)
        {
            case 3: ForwardTile<TV, TR, Tile3>(ref w, ref bias, cols, ref Unsafe.Add(ref x, b * xStride), xStride, ref Unsafe.Add(ref y, b * yStride), yStride); break;
            case 2: ForwardTile<TV, TR, Tile2>(ref w, ref bias, cols, ref Unsafe.Add(ref x, b * xStride), xStride, ref Unsafe.Add(ref y, b * yStride), yStride); break;
            case 1: ForwardTile<TV, TR, Tile1>(ref w, ref bias, cols, ref Unsafe.Add(ref x, b * xStride), xStride, ref Unsafe.Add(ref y, b * yStride), yStride); break;
        }
    }

    // TR rows of W (from w) times TB sequences of X (from x): y[b * yStride + i] = W_i . x_b + bias_i.
    private static void ForwardTile<TV, TR, TB>(ref float w, ref float bias, int cols, ref float x, int xStride,
        ref float y, int yStride) where TV : struct, IGemmVector<TV> where TR : struct, ITileSize where TB : struct, ITileSize
    {
        ref float w1 = ref TR.N > 1 ? ref Unsafe.Add(ref w, cols) : ref w;
        ref float w2 = ref TR.N > 2 ? ref Unsafe.Add(ref w, 2 * cols) : ref w;
        ref float w3 = ref TR.N > 3 ? ref Unsafe.Add(ref w, 3 * cols) : ref w;
        ref float x1 = ref TB.N > 1 ? ref Unsafe.Add(ref x, xStride) : ref x;
        ref float x2 = ref TB.N > 2 ? ref Unsafe.Add(ref x, 2 * xStride) : ref x;
        ref float x3 = ref TB.N > 3 ? ref Unsafe.Add(ref x, 3 * xStride) : ref x;
        TV a00 = TV.Zero, a01 = TV.Zero, a02 = TV.Zero, a03 = TV.Zero, a10 = TV.Zero, a11 = TV.Zero, a12 = TV.Zero, a13 = TV.Zero;
        TV a20 = TV.Zero, a21 = TV.Zero, a22 = TV.Zero, a23 = TV.Zero, a30 = TV.Zero, a31 = TV.Zero, a32 = TV.Zero, a33 = TV.Zero;
        TV mask = TV.AllOnes;
        // Full vectors from column 0; then, with four rows and at most four columns left, those columns
        // are added after the reduction; otherwise the last vector ends at the last column, with the
        // lanes already summed masked out of x.
        int v = TV.Count, tail = cols % v;
        int end = TR.N == 4 && tail <= 4 ? cols - tail : cols, last = end - v, k = 0;
        while (last >= 0)
        {
            nuint o = (nuint)k;
            TV u0 = TV.And(TV.Load(ref x, o), mask);
            TV u1 = TB.N > 1 ? TV.And(TV.Load(ref x1, o), mask) : TV.Zero;
            TV u2 = TB.N > 2 ? TV.And(TV.Load(ref x2, o), mask) : TV.Zero;
            TV u3 = TB.N > 3 ? TV.And(TV.Load(ref x3, o), mask) : TV.Zero;
            TV q = TV.Load(ref w, o);
            a00 = TV.Fma(q, u0, a00);
            if (TB.N > 1) a01 = TV.Fma(q, u1, a01);
            if (TB.N > 2) a02 = TV.Fma(q, u2, a02);
            if (TB.N > 3) a03 = TV.Fma(q, u3, a03);
            if (TR.N > 1)
            {
                q = TV.Load(ref w1, o);
                a10 = TV.Fma(q, u0, a10);
                if (TB.N > 1) a11 = TV.Fma(q, u1, a11);
                if (TB.N > 2) a12 = TV.Fma(q, u2, a12);
                if (TB.N > 3) a13 = TV.Fma(q, u3, a13);
            }
            if (TR.N > 2)
            {
                q = TV.Load(ref w2, o);
                a20 = TV.Fma(q, u0, a20);
                if (TB.N > 1) a21 = TV.Fma(q, u1, a21);
                if (TB.N > 2) a22 = TV.Fma(q, u2, a22);
                if (TB.N > 3) a23 = TV.Fma(q, u3, a23);
            }
            if (TR.N > 3)
            {
                q = TV.Load(ref w3, o);
                a30 = TV.Fma(q, u0, a30);
                if (TB.N > 1) a31 = TV.Fma(q, u1, a31);
                if (TB.N > 2) a32 = TV.Fma(q, u2, a32);
                if (TB.N > 3) a33 = TV.Fma(q, u3, a33);
            }
            if (k == last) break;
            k += v;
            if (k > last)
            {
                mask = TV.MaskFrom(k - last);
                k = last;
            }
        }
        if (TR.N == 4)
        {
            Vector128<float> s0 = TV.Sum4(a00, a10, a20, a30), s1 = TB.N > 1 ? TV.Sum4(a01, a11, a21, a31) : default;
            Vector128<float> s2 = TB.N > 2 ? TV.Sum4(a02, a12, a22, a32) : default, s3 = TB.N > 3 ? TV.Sum4(a03, a13, a23, a33) : default;
            for (int t = end; t < cols; t++)
            {
                // Column t of the four rows, times x_b[t], for each sequence.
                var wt = Vector128.Create(Unsafe.Add(ref w, t), Unsafe.Add(ref w1, t), Unsafe.Add(ref w2, t), Unsafe.Add(ref w3, t));
                s0 = Vector128.FusedMultiplyAdd(wt, Vector128.Create(Unsafe.Add(ref x, t)), s0);
                if (TB.N > 1) s1 = Vector128.FusedMultiplyAdd(wt, Vector128.Create(Unsafe.Add(ref x1, t)), s1);
                if (TB.N > 2) s2 = Vector128.FusedMultiplyAdd(wt, Vector128.Create(Unsafe.Add(ref x2, t)), s2);
                if (TB.N > 3) s3 = Vector128.FusedMultiplyAdd(wt, Vector128.Create(Unsafe.Add(ref x3, t)), s3);
            }
            Vector128<float> bv = Vector128.LoadUnsafe(ref bias);
            (s0 + bv).StoreUnsafe(ref y);
            if (TB.N > 1) (s1 + bv).StoreUnsafe(ref Unsafe.Add(ref y, yStride));
            if (TB.N > 2) (s2 + bv).StoreUnsafe(ref Unsafe.Add(ref y, 2 * yStride));
            if (TB.N > 3) (s3 + bv).StoreUnsafe(ref Unsafe.Add(ref y, 3 * yStride));
            return;
        }
        StoreRow<TV, TB>(ref y, yStride, bias, a00, a01, a02, a03);
        if (TR.N > 1) StoreRow<TV, TB>(ref Unsafe.Add(ref y, 1), yStride, Unsafe.Add(ref bias, 1), a10, a11, a12, a13);
        if (TR.N > 2) StoreRow<TV, TB>(ref Unsafe.Add(ref y, 2), yStride, Unsafe.Add(ref bias, 2), a20, a21, a22, a23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TV, TB>(ref float y, int yStride, float bias, TV s0, TV s1, TV s2, TV s3)
        where TV : struct, IGemmVector<TV> where TB : struct, ITileSize
    {
        y = TV.Sum(s0) + bias;
        if (TB.N > 1) Unsafe.Add(ref y, yStride) = TV.Sum(s1) + bias;
        if (TB.N > 2) Unsafe.Add(ref y, 2 * yStride) = TV.Sum(s2) + bias;
        if (TB.N > 3) Unsafe.Add(ref y, 3 * yStride) = TV.Sum(s3) + bias;
    }

    // ------------------------------------------------------------------ input gradient

    // Reverses Y_b = W x_b + bias for x: dX_b += W^T dY_b; dX is (batch, dxStride), dY is (batch, dyStride).
    public static void InputGradient(GemmPath path, Span<float> dx, int dxStride, ReadOnlySpan<float> w, int rows, int cols,
        ReadOnlySpan<float> dy, int dyStride, int batch)
    {
        Check(w.Length, rows, cols, dy.Length, dyStride, rows, dx.Length, dxStride, cols, batch);
        if (batch == 0 || cols == 0) return;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pg = ref MemoryMarshal.GetReference(dy);
        ref float pd = ref MemoryMarshal.GetReference(dx);
        switch (Width(path, cols))
        {
            case 16: InputGradient<Gemm512>(ref pd, dxStride, ref pw, rows, cols, ref pg, dyStride, batch); break;
            case 8: InputGradient<Gemm256>(ref pd, dxStride, ref pw, rows, cols, ref pg, dyStride, batch); break;
            default: InputGradient<Gemm1>(ref pd, dxStride, ref pw, rows, cols, ref pg, dyStride, batch); break;
        }
    }

    private static void InputGradient<TV>(ref float dx, int dxStride, ref float w, int rows, int cols,
        ref float dy, int dyStride, int batch) where TV : struct, IGemmVector<TV>
    {
        int b = 0;
        for (; b + 4 <= batch; b += 4)
            InputGradientRows<TV, Tile4>(ref Unsafe.Add(ref dx, b * dxStride), dxStride, ref w, rows, cols, ref Unsafe.Add(ref dy, b * dyStride), dyStride);
        switch (batch - b)
        {
            case 3: InputGradientRows<TV, Tile3>(ref Unsafe.Add(ref dx, b * dxStride), dxStride, ref w, rows, cols, ref Unsafe.Add(ref dy, b * dyStride), dyStride); break;
            case 2: InputGradientRows<TV, Tile2>(ref Unsafe.Add(ref dx, b * dxStride), dxStride, ref w, rows, cols, ref Unsafe.Add(ref dy, b * dyStride), dyStride); break;
            case 1: InputGradientRows<TV, Tile1>(ref Unsafe.Add(ref dx, b * dxStride), dxStride, ref w, rows, cols, ref Unsafe.Add(ref dy, b * dyStride), dyStride); break;
        }
    }

    private static void InputGradientRows<TV, TB>(ref float dx, int dxStride, ref float w, int rows, int cols,
        ref float dy, int dyStride) where TV : struct, IGemmVector<TV> where TB : struct, ITileSize
    {
        int v = TV.Count, full = cols / v, s = 0;
        for (; s + 4 <= full; s += 4) InputGradientTile<TV, Tile4, TB>(ref dx, dxStride, ref w, rows, cols, ref dy, dyStride, s * v, 0);
        switch (full - s)
        {
            case 3: InputGradientTile<TV, Tile3, TB>(ref dx, dxStride, ref w, rows, cols, ref dy, dyStride, s * v, 0); break;
            case 2: InputGradientTile<TV, Tile2, TB>(ref dx, dxStride, ref w, rows, cols, ref dy, dyStride, s * v, 0); break;
            case 1: InputGradientTile<TV, Tile1, TB>(ref dx, dxStride, ref w, rows, cols, ref dy, dyStride, s * v, 0); break;
        }
        // The last partial vector: the one ending at the last column, its first lanes (already done) masked off.
        if (cols % v != 0) InputGradientTile<TV, Tile1, TB>(ref dx, dxStride, ref w, rows, cols, ref dy, dyStride, cols - v, v - cols % v);
    }

    // TS vectors of columns from column k, for TB sequences: dX_b[k..] += sum_r dY(b, r) W_r[k..], r in order.
    // maskFrom > 0: the tile's lanes below it belong to another tile and are left alone.
    private static void InputGradientTile<TV, TS, TB>(ref float dx, int dxStride, ref float w, int rows, int cols,
        ref float dy, int dyStride, int k, int maskFrom)
        where TV : struct, IGemmVector<TV> where TS : struct, ITileSize where TB : struct, ITileSize
    {
        nuint v = (nuint)TV.Count, v2 = 2 * v, v3 = 3 * v;
        ref float d0 = ref Unsafe.Add(ref dx, k);
        ref float d1 = ref TB.N > 1 ? ref Unsafe.Add(ref d0, dxStride) : ref d0;
        ref float d2 = ref TB.N > 2 ? ref Unsafe.Add(ref d0, 2 * dxStride) : ref d0;
        ref float d3 = ref TB.N > 3 ? ref Unsafe.Add(ref d0, 3 * dxStride) : ref d0;
        ref float g1 = ref TB.N > 1 ? ref Unsafe.Add(ref dy, dyStride) : ref dy;
        ref float g2 = ref TB.N > 2 ? ref Unsafe.Add(ref dy, 2 * dyStride) : ref dy;
        ref float g3 = ref TB.N > 3 ? ref Unsafe.Add(ref dy, 3 * dyStride) : ref dy;
        bool masked = maskFrom > 0;
        // cSB: vector S of sequence B.
        TV c00 = Init<TV>(masked, ref d0, 0), c01 = TB.N > 1 ? Init<TV>(masked, ref d1, 0) : TV.Zero;
        TV c02 = TB.N > 2 ? Init<TV>(masked, ref d2, 0) : TV.Zero, c03 = TB.N > 3 ? Init<TV>(masked, ref d3, 0) : TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero, c12 = TV.Zero, c13 = TV.Zero, c20 = TV.Zero, c21 = TV.Zero, c22 = TV.Zero, c23 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero, c32 = TV.Zero, c33 = TV.Zero;
        if (TS.N > 1)
        {
            c10 = TV.Load(ref d0, v);
            if (TB.N > 1) c11 = TV.Load(ref d1, v);
            if (TB.N > 2) c12 = TV.Load(ref d2, v);
            if (TB.N > 3) c13 = TV.Load(ref d3, v);
        }
        if (TS.N > 2)
        {
            c20 = TV.Load(ref d0, v2);
            if (TB.N > 1) c21 = TV.Load(ref d1, v2);
            if (TB.N > 2) c22 = TV.Load(ref d2, v2);
            if (TB.N > 3) c23 = TV.Load(ref d3, v2);
        }
        if (TS.N > 3)
        {
            c30 = TV.Load(ref d0, v3);
            if (TB.N > 1) c31 = TV.Load(ref d1, v3);
            if (TB.N > 2) c32 = TV.Load(ref d2, v3);
            if (TB.N > 3) c33 = TV.Load(ref d3, v3);
        }
        ref float wk = ref Unsafe.Add(ref w, k);
        nuint o = 0;
        for (int r = 0; r < rows; r++, o += (nuint)cols)
        {
            TV q0 = TV.Load(ref wk, o);
            TV q1 = TS.N > 1 ? TV.Load(ref wk, o + v) : TV.Zero;
            TV q2 = TS.N > 2 ? TV.Load(ref wk, o + v2) : TV.Zero;
            TV q3 = TS.N > 3 ? TV.Load(ref wk, o + v3) : TV.Zero;
            TV h = TV.Broadcast(Unsafe.Add(ref dy, r));
            c00 = TV.Fma(h, q0, c00);
            if (TS.N > 1) c10 = TV.Fma(h, q1, c10);
            if (TS.N > 2) c20 = TV.Fma(h, q2, c20);
            if (TS.N > 3) c30 = TV.Fma(h, q3, c30);
            if (TB.N > 1)
            {
                h = TV.Broadcast(Unsafe.Add(ref g1, r));
                c01 = TV.Fma(h, q0, c01);
                if (TS.N > 1) c11 = TV.Fma(h, q1, c11);
                if (TS.N > 2) c21 = TV.Fma(h, q2, c21);
                if (TS.N > 3) c31 = TV.Fma(h, q3, c31);
            }
            if (TB.N > 2)
            {
                h = TV.Broadcast(Unsafe.Add(ref g2, r));
                c02 = TV.Fma(h, q0, c02);
                if (TS.N > 1) c12 = TV.Fma(h, q1, c12);
                if (TS.N > 2) c22 = TV.Fma(h, q2, c22);
                if (TS.N > 3) c32 = TV.Fma(h, q3, c32);
            }
            if (TB.N > 3)
            {
                h = TV.Broadcast(Unsafe.Add(ref g3, r));
                c03 = TV.Fma(h, q0, c03);
                if (TS.N > 1) c13 = TV.Fma(h, q1, c13);
                if (TS.N > 2) c23 = TV.Fma(h, q2, c23);
                if (TS.N > 3) c33 = TV.Fma(h, q3, c33);
            }
        }
        if (masked)
        {
            // Only a single-vector tile is ever masked.
            TV m = TV.MaskFrom(maskFrom);
            TV.Store(TV.Add(TV.Load(ref d0, 0), TV.And(c00, m)), ref d0, 0);
            if (TB.N > 1) TV.Store(TV.Add(TV.Load(ref d1, 0), TV.And(c01, m)), ref d1, 0);
            if (TB.N > 2) TV.Store(TV.Add(TV.Load(ref d2, 0), TV.And(c02, m)), ref d2, 0);
            if (TB.N > 3) TV.Store(TV.Add(TV.Load(ref d3, 0), TV.And(c03, m)), ref d3, 0);
            return;
        }
        TV.Store(c00, ref d0, 0);
        if (TB.N > 1) TV.Store(c01, ref d1, 0);
        if (TB.N > 2) TV.Store(c02, ref d2, 0);
        if (TB.N > 3) TV.Store(c03, ref d3, 0);
        if (TS.N > 1)
        {
            TV.Store(c10, ref d0, v);
            if (TB.N > 1) TV.Store(c11, ref d1, v);
            if (TB.N > 2) TV.Store(c12, ref d2, v);
            if (TB.N > 3) TV.Store(c13, ref d3, v);
        }
        if (TS.N > 2)
        {
            TV.Store(c20, ref d0, v2);
            if (TB.N > 1) TV.Store(c21, ref d1, v2);
            if (TB.N > 2) TV.Store(c22, ref d2, v2);
            if (TB.N > 3) TV.Store(c23, ref d3, v2);
        }
        if (TS.N > 3)
        {
            TV.Store(c30, ref d0, v3);
            if (TB.N > 1) TV.Store(c31, ref d1, v3);
            if (TB.N > 2) TV.Store(c32, ref d2, v3);
            if (TB.N > 3) TV.Store(c33, ref d3, v3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Init<TV>(bool masked, ref float p, nuint offset) where TV : struct, IGemmVector<TV>
        => masked ? TV.Zero : TV.Load(ref p, offset);

    // ------------------------------------------------------------------ weight gradient

    // dW += dY^T X over count rows: dW is (rows, cols), X is (count, xStride), dY is (count, dyStride).
    public static void WeightGradient(GemmPath path, Span<float> dw, int rows, int cols, ReadOnlySpan<float> x, int xStride,
        ReadOnlySpan<float> dy, int dyStride, int count)
    {
        Check(dw.Length, rows, cols, x.Length, xStride, cols, dy.Length, dyStride, rows, count);
        if (count == 0 || rows == 0 || cols == 0) return;
        ref float pd = ref MemoryMarshal.GetReference(dw);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pg = ref MemoryMarshal.GetReference(dy);
        // Columns below the last multiple of 8 fused (16 at a time, then 8), the rest one at a time unfused.
        int fused = path == GemmPath.Scalar ? 0 : cols - cols % 8;
        int wide = path == GemmPath.Vector512 ? fused - fused % 16 : 0;
        for (int n0 = 0; n0 < count; n0 += WeightGradientBlock)
        {
            int n1 = Math.Min(count, n0 + WeightGradientBlock);
            if (wide > 0) WeightGradient<Gemm512>(ref pd, rows, cols, ref px, xStride, ref pg, dyStride, n0, n1, 0, wide);
            if (fused > wide) WeightGradient<Gemm256>(ref pd, rows, cols, ref px, xStride, ref pg, dyStride, n0, n1, wide, fused);
            // The columns past the last multiple of 8, vectorised down the rows (a row of dY is contiguous).
            for (int c = fused; c < cols; c++)
            {
                int r = path == GemmPath.Vector512 ? Column<Gemm512>(ref pd, 0, rows, cols, ref px, xStride, ref pg, dyStride, n0, n1, c) : 0;
                if (path != GemmPath.Scalar) r = Column<Gemm256>(ref pd, r, rows, cols, ref px, xStride, ref pg, dyStride, n0, n1, c);
                Column<Gemm1>(ref pd, r, rows, cols, ref px, xStride, ref pg, dyStride, n0, n1, c);
            }
        }
    }

    // Column c of dW, rows from r0 in whole vectors: dW(r, c) = dW(r, c) + dY(n, r) X(n, c) for n = n0..n1-1
    // in order, multiplied and added separately (two roundings, as the scalar loop). Returns the first row left.
    private static int Column<TV>(ref float dw, int r0, int rows, int cols, ref float x, int xStride,
        ref float dy, int dyStride, int n0, int n1, int c) where TV : struct, IGemmVector<TV>
    {
        int v = TV.Count, r = r0;
        Span<float> gather = stackalloc float[16];
        ref float pgather = ref MemoryMarshal.GetReference(gather);
        for (; r + v <= rows; r += v)
        {
            for (int i = 0; i < v; i++) gather[i] = Unsafe.Add(ref dw, (r + i) * cols + c);
            TV a = TV.Load(ref pgather, 0);
            nuint go = (nuint)n0 * (nuint)dyStride + (nuint)r, xo = (nuint)n0 * (nuint)xStride + (nuint)c;
            for (int n = n0; n < n1; n++, go += (nuint)dyStride, xo += (nuint)xStride)
                a = TV.Add(a, TV.Multiply(TV.Load(ref dy, go), TV.Broadcast(Unsafe.Add(ref x, xo))));
            TV.Store(a, ref pgather, 0);
            for (int i = 0; i < v; i++) Unsafe.Add(ref dw, (r + i) * cols + c) = gather[i];
        }
        return r;
    }

    // Columns [k0, k1) of dW (k1 - k0 a multiple of the width), rows n0..n1 of X and dY.
    private static void WeightGradient<TV>(ref float dw, int rows, int cols, ref float x, int xStride,
        ref float dy, int dyStride, int n0, int n1, int k0, int k1) where TV : struct, IGemmVector<TV>
    {
        int v = TV.Count, strips = (k1 - k0) / v, r = 0;
        for (; r + 4 <= rows; r += 4) WeightGradientRows<TV, Tile4>(ref Unsafe.Add(ref dw, r * cols), cols, ref x, xStride, ref Unsafe.Add(ref dy, r), dyStride, n0, n1, k0, strips);
        for (; r < rows; r++) WeightGradientRows<TV, Tile1>(ref Unsafe.Add(ref dw, r * cols), cols, ref x, xStride, ref Unsafe.Add(ref dy, r), dyStride, n0, n1, k0, strips);
    }

    private static void WeightGradientRows<TV, TR>(ref float dw, int cols, ref float x, int xStride,
        ref float dy, int dyStride, int n0, int n1, int k0, int strips) where TV : struct, IGemmVector<TV> where TR : struct, ITileSize
    {
        int v = TV.Count, s = 0;
        for (; s + 4 <= strips; s += 4) WeightGradientTile<TV, TR, Tile4>(ref dw, cols, ref x, xStride, ref dy, dyStride, n0, n1, k0 + s * v);
        switch (strips - s)
        {
            case 3: WeightGradientTile<TV, TR, Tile3>(ref dw, cols, ref x, xStride, ref dy, dyStride, n0, n1, k0 + s * v); break;
            case 2: WeightGradientTile<TV, TR, Tile2>(ref dw, cols, ref x, xStride, ref dy, dyStride, n0, n1, k0 + s * v); break;
            case 1: WeightGradientTile<TV, TR, Tile1>(ref dw, cols, ref x, xStride, ref dy, dyStride, n0, n1, k0 + s * v); break;
        }
    }

    // TR rows of dW by TS vectors of columns from column k: dW_i[k..] += dY(n, i) X_n[k..] for n = n0..n1-1 in order.
    private static void WeightGradientTile<TV, TR, TS>(ref float dw, int cols, ref float x, int xStride,
        ref float dy, int dyStride, int n0, int n1, int k)
        where TV : struct, IGemmVector<TV> where TR : struct, ITileSize where TS : struct, ITileSize
    {
        nuint v = (nuint)TV.Count, v2 = 2 * v, v3 = 3 * v;
        ref float e0 = ref Unsafe.Add(ref dw, k);
        ref float e1 = ref TR.N > 1 ? ref Unsafe.Add(ref e0, cols) : ref e0;
        ref float e2 = ref TR.N > 2 ? ref Unsafe.Add(ref e0, 2 * cols) : ref e0;
        ref float e3 = ref TR.N > 3 ? ref Unsafe.Add(ref e0, 3 * cols) : ref e0;
        // aRS: row R, vector S.
        TV a00 = TV.Load(ref e0, 0), a01 = TS.N > 1 ? TV.Load(ref e0, v) : TV.Zero;
        TV a02 = TS.N > 2 ? TV.Load(ref e0, v2) : TV.Zero, a03 = TS.N > 3 ? TV.Load(ref e0, v3) : TV.Zero;
        TV a10 = TV.Zero, a11 = TV.Zero, a12 = TV.Zero, a13 = TV.Zero, a20 = TV.Zero, a21 = TV.Zero, a22 = TV.Zero, a23 = TV.Zero;
        TV a30 = TV.Zero, a31 = TV.Zero, a32 = TV.Zero, a33 = TV.Zero;
        if (TR.N > 1)
        {
            a10 = TV.Load(ref e1, 0);
            if (TS.N > 1) a11 = TV.Load(ref e1, v);
            if (TS.N > 2) a12 = TV.Load(ref e1, v2);
            if (TS.N > 3) a13 = TV.Load(ref e1, v3);
        }
        if (TR.N > 2)
        {
            a20 = TV.Load(ref e2, 0);
            if (TS.N > 1) a21 = TV.Load(ref e2, v);
            if (TS.N > 2) a22 = TV.Load(ref e2, v2);
            if (TS.N > 3) a23 = TV.Load(ref e2, v3);
        }
        if (TR.N > 3)
        {
            a30 = TV.Load(ref e3, 0);
            if (TS.N > 1) a31 = TV.Load(ref e3, v);
            if (TS.N > 2) a32 = TV.Load(ref e3, v2);
            if (TS.N > 3) a33 = TV.Load(ref e3, v3);
        }
        ref float xk = ref Unsafe.Add(ref x, k);
        nuint xo = (nuint)n0 * (nuint)xStride, go = (nuint)n0 * (nuint)dyStride;
        for (int n = n0; n < n1; n++, xo += (nuint)xStride, go += (nuint)dyStride)
        {
            TV u0 = TV.Load(ref xk, xo);
            TV u1 = TS.N > 1 ? TV.Load(ref xk, xo + v) : TV.Zero;
            TV u2 = TS.N > 2 ? TV.Load(ref xk, xo + v2) : TV.Zero;
            TV u3 = TS.N > 3 ? TV.Load(ref xk, xo + v3) : TV.Zero;
            TV h = TV.Broadcast(Unsafe.Add(ref dy, go));
            a00 = TV.Fma(h, u0, a00);
            if (TS.N > 1) a01 = TV.Fma(h, u1, a01);
            if (TS.N > 2) a02 = TV.Fma(h, u2, a02);
            if (TS.N > 3) a03 = TV.Fma(h, u3, a03);
            if (TR.N > 1)
            {
                h = TV.Broadcast(Unsafe.Add(ref dy, go + 1));
                a10 = TV.Fma(h, u0, a10);
                if (TS.N > 1) a11 = TV.Fma(h, u1, a11);
                if (TS.N > 2) a12 = TV.Fma(h, u2, a12);
                if (TS.N > 3) a13 = TV.Fma(h, u3, a13);
            }
            if (TR.N > 2)
            {
                h = TV.Broadcast(Unsafe.Add(ref dy, go + 2));
                a20 = TV.Fma(h, u0, a20);
                if (TS.N > 1) a21 = TV.Fma(h, u1, a21);
                if (TS.N > 2) a22 = TV.Fma(h, u2, a22);
                if (TS.N > 3) a23 = TV.Fma(h, u3, a23);
            }
            if (TR.N > 3)
            {
                h = TV.Broadcast(Unsafe.Add(ref dy, go + 3));
                a30 = TV.Fma(h, u0, a30);
                if (TS.N > 1) a31 = TV.Fma(h, u1, a31);
                if (TS.N > 2) a32 = TV.Fma(h, u2, a32);
                if (TS.N > 3) a33 = TV.Fma(h, u3, a33);
            }
        }
        TV.Store(a00, ref e0, 0);
        if (TS.N > 1) TV.Store(a01, ref e0, v);
        if (TS.N > 2) TV.Store(a02, ref e0, v2);
        if (TS.N > 3) TV.Store(a03, ref e0, v3);
        if (TR.N > 1)
        {
            TV.Store(a10, ref e1, 0);
            if (TS.N > 1) TV.Store(a11, ref e1, v);
            if (TS.N > 2) TV.Store(a12, ref e1, v2);
            if (TS.N > 3) TV.Store(a13, ref e1, v3);
        }
        if (TR.N > 2)
        {
            TV.Store(a20, ref e2, 0);
            if (TS.N > 1) TV.Store(a21, ref e2, v);
            if (TS.N > 2) TV.Store(a22, ref e2, v2);
            if (TS.N > 3) TV.Store(a23, ref e2, v3);
        }
        if (TR.N > 3)
        {
            TV.Store(a30, ref e3, 0);
            if (TS.N > 1) TV.Store(a31, ref e3, v);
            if (TS.N > 2) TV.Store(a32, ref e3, v2);
            if (TS.N > 3) TV.Store(a33, ref e3, v3);
        }
    }

    // ------------------------------------------------------------------ shared

    // The vector width for a path and a row length: the widest the path allows that fits in one row.
    private static int Width(GemmPath path, int cols)
        => path == GemmPath.Vector512 && cols >= 16 ? 16 : path != GemmPath.Scalar && cols >= 8 ? 8 : 1;

    // A (aRows, aCols) row-major matrix, B (batch, bStride) with bCols used, C (batch, cStride) with cCols used.
    // Every access of the kernels is within these bounds once they hold.
    private static void Check(int aLength, int aRows, int aCols, int bLength, int bStride, int bCols,
        int cLength, int cStride, int cCols, int batch)
    {
        if (aRows < 0 || aCols < 0 || batch < 0) throw new ArgumentException("Negative size.");
        if (aLength < aRows * aCols) throw new ArgumentException("The matrix is too short.");
        if (batch == 0) return;
        if (bStride < bCols || bLength < (batch - 1) * bStride + bCols) throw new ArgumentException("The input is too short.");
        if (cStride < cCols || cLength < (batch - 1) * cStride + cCols) throw new ArgumentException("The output is too short.");
    }
}
