using System.Numerics;
using System.Numerics.Tensors;

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
        T max = TensorPrimitives.Max<T>(s);
        TensorPrimitives.Subtract<T>(s, max, s);
        TensorPrimitives.Exp<T>(s, s);
        T inv = T.One / TensorPrimitives.Sum<T>(s);
        TensorPrimitives.Multiply<T>(s, inv, s);
    }

    // Reverses p = softmax(z): dz_i = p_i (dp_i - sum_j p_j dp_j). dz may alias dp.
    public static void SoftmaxBackward<T>(Span<T> dz, ReadOnlySpan<T> p, ReadOnlySpan<T> dp) where T : IFloatingPointIeee754<T>
    {
        T dot = TensorPrimitives.Dot<T>(p, dp);
        TensorPrimitives.Subtract<T>(dp, dot, dz);
        TensorPrimitives.Multiply<T>(dz, p, dz);
    }
}
