using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Numerics;

namespace Ntm.Controllers;

/// <summary>
/// One feed-forward layer of the controller (the paper's NTM-FF, section 3.4) over a shard of
/// sequences, one time step: h = tanh(W u + b). It keeps no state of its own: everything the
/// machine remembers goes through the heads.
/// </summary>
internal static class FeedForward
{
    // weight is (H, U), bias is (H); u is (batch, U); h is (batch, H).
    public static void Forward<T>(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> u, int uWidth,
        Span<T> h, int hidden, int batch) where T : unmanaged, IFloatingPointIeee754<T>
        => Forward(weight, bias, u, uWidth, h, hidden, batch, 0, hidden);

    // The same for the units [j0, j1) only (rows j0..j1 of W); the other entries of h are left alone.
    public static void Forward<T>(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> u, int uWidth,
        Span<T> h, int hidden, int batch, int j0, int j1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = j1 - j0;
        if (k <= 0) return;
        if (k == hidden)
        {
            Linear.Forward<T>(weight, bias, hidden, uWidth, u, uWidth, h, hidden, batch);
            TensorPrimitives.Tanh<T>(h.Slice(0, batch * hidden), h.Slice(0, batch * hidden));
            return;
        }
        Linear.Forward<T>(weight.Slice(j0 * uWidth), bias.Slice(j0), k, uWidth, u, uWidth, h.Slice(j0), hidden, batch);
        for (int b = 0; b < batch; b++) TensorPrimitives.Tanh<T>(h.Slice(b * hidden + j0, k), h.Slice(b * hidden + j0, k));
    }

    // Reverses Forward given dH = dL/dh (batch, H): writes dL/d(pre-activations) into dPre (batch, H),
    // clamped to +-clip when clip > 0, and overwrites dU (batch, U) with dL/du.
    public static void Backward<T>(Span<T> dU, Span<T> dPre, ReadOnlySpan<T> dH, ReadOnlySpan<T> weight, ReadOnlySpan<T> h,
        int uWidth, int hidden, int batch, T clip) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = batch * hidden;
        for (int k = 0; k < count; k++) dPre[k] = dH[k] * (T.One - h[k] * h[k]);   // h = tanh(pre)
        if (clip > T.Zero) TensorPrimitives.Clamp<T>(dPre.Slice(0, count), -clip, clip, dPre.Slice(0, count));
        dU.Clear();
        Linear.InputGradient<T>(dU, uWidth, weight, hidden, uWidth, dPre, hidden, batch);
    }

    // The element-wise part of Backward: everything but dU = W^T dPre.
    public static void BackwardCell<T>(Span<T> dPre, ReadOnlySpan<T> dH, ReadOnlySpan<T> h, int hidden, int batch, T clip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = batch * hidden;
        for (int k = 0; k < count; k++) dPre[k] = dH[k] * (T.One - h[k] * h[k]);   // h = tanh(pre)
        if (clip > T.Zero) TensorPrimitives.Clamp<T>(dPre.Slice(0, count), -clip, clip, dPre.Slice(0, count));
    }
}
