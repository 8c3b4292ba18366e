using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Numerics;

namespace Ntm.Addressing;

/// <summary>
/// Sharpening (paper eq. 9): w(i) = w~(i)^gamma / sum_j w~(j)^gamma, computed as
/// softmax(gamma log(w~ + eps)) so that a zero weight under the power gives neither NaN nor a
/// division by zero, and large gamma cannot overflow.
/// </summary>
internal static class Sharpen
{
    /// <summary>
    /// Added to w~ under the logarithm. Tiny against any weight that matters (weights sum to 1 over
    /// at most a few thousand rows), large enough that log never sees 0 in float32.
    /// </summary>
    public const double WeightEpsilon = 1e-16;

    // wTilde is (N), w is (N), gamma >= 1
    public static void Forward<T>(ReadOnlySpan<T> wTilde, T gamma, Span<T> w) where T : IFloatingPointIeee754<T>
    {
        T eps = T.CreateChecked(WeightEpsilon);
        TensorPrimitives.Add(wTilde.Slice(0, w.Length), eps, w);
        TensorPrimitives.Log<T>(w, w);
        TensorPrimitives.Multiply<T>(w, gamma, w);
        Activations.SoftmaxInPlace(w);
    }

    // Reverses w = softmax(gamma l), l = log(w~ + eps): accumulates dWTilde; returns dGamma. scratch is (2N).
    public static T Backward<T>(Span<T> dWTilde, ReadOnlySpan<T> dW, ReadOnlySpan<T> wTilde, T gamma,
        ReadOnlySpan<T> w, Span<T> scratch) where T : IFloatingPointIeee754<T>
    {
        T eps = T.CreateChecked(WeightEpsilon);
        Span<T> dz = scratch.Slice(0, w.Length);
        Span<T> x = scratch.Slice(w.Length, w.Length);
        Activations.SoftmaxBackward(dz, w, dW);
        TensorPrimitives.Add(wTilde.Slice(0, w.Length), eps, x);
        TensorPrimitives.Log<T>(x, x);
        T dGamma = TensorPrimitives.Dot<T>(dz, x);                 // dGamma = sum_i dz_i l_i
        TensorPrimitives.Add(wTilde.Slice(0, w.Length), eps, x);
        TensorPrimitives.Divide<T>(dz, x, x);
        TensorPrimitives.MultiplyAdd<T>(x, gamma, dWTilde, dWTilde);  // dw~_i += gamma dz_i / (w~_i + eps)
        return dGamma;
    }
}
