using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Numerics;

namespace Ntm.Addressing;

/// <summary>
/// Content addressing (paper eq. 5-6): cosine similarity of the key with every memory row, scaled
/// by the key strength and normalised with a softmax.
/// </summary>
internal static class ContentAddressing
{
    /// <summary>
    /// Added to |k| |M(i)| under the cosine's division, so a zero-norm key or row gives similarity 0
    /// instead of NaN (the value pytorch-ntm uses; far below the 1e-6 * sqrt(M) norm of a
    /// constant-initialised row times a unit key).
    /// </summary>
    public const double CosineEpsilon = 1e-8;

    /// <summary>Euclidean norm of every row: memory is (rows, width), norms is (rows).</summary>
    public static void RowNorms<T>(ReadOnlySpan<T> memory, int width, Span<T> norms) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < norms.Length; i++)
        {
            ReadOnlySpan<T> row = memory.Slice(i * width, width);
            norms[i] = T.Sqrt(Simd.Dot(row, row));
        }
    }

    // key is (M), memory is (N, M), rowNorms is (N); outputs similarity K (N) and wc (N); returns |k|.
    // eq. 6: K[k, M(i)] = k.M(i) / (|k| |M(i)|);  eq. 5: wc(i) = softmax_i(beta K[k, M(i)])
    public static T Forward<T>(ReadOnlySpan<T> key, T beta, ReadOnlySpan<T> memory, ReadOnlySpan<T> rowNorms,
        Span<T> similarity, Span<T> wc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = key.Length;
        T eps = T.CreateChecked(CosineEpsilon);
        T keyNorm = T.Sqrt(Simd.Dot(key, key));
        for (int i = 0; i < similarity.Length; i++)
            similarity[i] = Simd.Dot(key, memory.Slice(i * m, m));
        // K = dot / (|k| |M(i)| + eps), the denominator built in wc first.
        TensorPrimitives.Multiply(rowNorms.Slice(0, wc.Length), keyNorm, wc);
        TensorPrimitives.Add(wc, eps, wc);
        TensorPrimitives.Divide(similarity, wc, similarity);
        TensorPrimitives.Multiply(similarity, beta, wc);
        Activations.SoftmaxInPlace(wc);
        return keyNorm;
    }

    // Reverses Forward: accumulates dKey (M), dMemory (N, M) and returns dBeta. scratch is (N).
    public static T Backward<T>(Span<T> dKey, Span<T> dMemory, ReadOnlySpan<T> dWc,
        ReadOnlySpan<T> key, T beta, T keyNorm, ReadOnlySpan<T> memory, ReadOnlySpan<T> rowNorms,
        ReadOnlySpan<T> similarity, ReadOnlySpan<T> wc, Span<T> scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = key.Length;
        T eps = T.CreateChecked(CosineEpsilon);
        Span<T> dz = scratch.Slice(0, wc.Length);
        Activations.SoftmaxBackward(dz, wc, dWc);   // z = beta K
        T dBeta = T.Zero;
        T keyCoef = T.Zero;                          // sum_i dD_i |M(i)|, multiplies k/|k|
        T invKeyNorm = keyNorm > T.Zero ? T.One / keyNorm : T.Zero;
        for (int i = 0; i < wc.Length; i++)
        {
            dBeta += dz[i] * similarity[i];
            T dK = beta * dz[i];
            if (dK == T.Zero) continue;
            T denom = keyNorm * rowNorms[i] + eps;
            T dDot = dK / denom;                      // K = dot / D
            T dDenom = -dK * similarity[i] / denom;   // dK/dD = -dot / D^2 = -K / D
            ReadOnlySpan<T> row = memory.Slice(i * m, m);
            Span<T> dRow = dMemory.Slice(i * m, m);
            Simd.Axpy(dDot, row, dKey);
            keyCoef += dDenom * rowNorms[i];
            Simd.Axpy(dDot, key, dRow);
            if (rowNorms[i] > T.Zero)
                Simd.Axpy(dDenom * keyNorm / rowNorms[i], row, dRow);
        }
        Simd.Axpy(keyCoef * invKeyNorm, key, dKey);
        return dBeta;
    }
}
