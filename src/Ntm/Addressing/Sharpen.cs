using System.Numerics;
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
        for (int i = 0; i < w.Length; i++) w[i] = gamma * T.Log(wTilde[i] + eps);
        Activations.SoftmaxInPlace(w);
    }

    // Reverses w = softmax(gamma l), l = log(w~ + eps): accumulates dWTilde; returns dGamma. scratch is (N).
    public static T Backward<T>(Span<T> dWTilde, ReadOnlySpan<T> dW, ReadOnlySpan<T> wTilde, T gamma,
        ReadOnlySpan<T> w, Span<T> scratch) where T : IFloatingPointIeee754<T>
    {
        T eps = T.CreateChecked(WeightEpsilon);
        Span<T> dz = scratch.Slice(0, w.Length);
        Activations.SoftmaxBackward(dz, w, dW);
        T dGamma = T.Zero;
        for (int i = 0; i < w.Length; i++)
        {
            T x = wTilde[i] + eps;
            dGamma += dz[i] * T.Log(x);
            dWTilde[i] += gamma * dz[i] / x;
        }
        return dGamma;
    }
}
