using System.Numerics;

namespace Ntm.Numerics;

/// <summary>Scalar activations written so that no finite input gives NaN or infinity.</summary>
internal static class Activations
{
    public static T Sigmoid<T>(T x) where T : IFloatingPointIeee754<T>
        => x >= T.Zero ? T.One / (T.One + T.Exp(-x)) : T.Exp(x) / (T.One + T.Exp(x));

    // softplus(x) = log(1 + e^x), evaluated without overflow for large |x|.
    public static T Softplus<T>(T x) where T : IFloatingPointIeee754<T>
        => x > T.Zero ? x + T.Log(T.One + T.Exp(-x)) : T.Log(T.One + T.Exp(x));

    // In place over a span: s = softmax(s), shifted by the maximum so exp never overflows.
    public static void SoftmaxInPlace<T>(Span<T> s) where T : IFloatingPointIeee754<T>
    {
        T max = s[0];
        for (int i = 1; i < s.Length; i++) if (s[i] > max) max = s[i];
        T sum = T.Zero;
        for (int i = 0; i < s.Length; i++) { s[i] = T.Exp(s[i] - max); sum += s[i]; }
        T inv = T.One / sum;
        for (int i = 0; i < s.Length; i++) s[i] *= inv;
    }

    // Reverses p = softmax(z): dz_i = p_i (dp_i - sum_j p_j dp_j). dz may alias dp.
    public static void SoftmaxBackward<T>(Span<T> dz, ReadOnlySpan<T> p, ReadOnlySpan<T> dp) where T : IFloatingPointIeee754<T>
    {
        T dot = T.Zero;
        for (int i = 0; i < p.Length; i++) dot += p[i] * dp[i];
        for (int i = 0; i < p.Length; i++) dz[i] = p[i] * (dp[i] - dot);
    }
}
