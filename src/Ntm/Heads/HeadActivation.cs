using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Numerics;

namespace Ntm.Heads;

/// <summary>
/// A head's output activations (paper section 3.1-3.2 gives their ranges): the controller's raw
/// projection for one head becomes key k (linear), strength beta = softplus (&gt; 0), gate
/// g = sigmoid (in (0, 1)), shift weighting s = softmax (a distribution over -S..S), sharpening
/// gamma = 1 + softplus (&gt;= 1), and for a write head erase e = sigmoid (in (0, 1)) and add a = tanh.
/// </summary>
internal static class HeadActivation
{
    // raw and act are (layout.Size), laid out as HeadLayout says.
    public static void Forward<T>(ReadOnlySpan<T> raw, Span<T> act, HeadLayout hl) where T : unmanaged, IFloatingPointIeee754<T>
    {
        raw.Slice(hl.Key, hl.Width).CopyTo(act.Slice(hl.Key, hl.Width));                   // k: linear
        act[hl.Beta] = Activations.Softplus(raw[hl.Beta]);                                  // beta > 0
        act[hl.Gate] = Activations.Sigmoid(raw[hl.Gate]);                                   // g in (0, 1)
        raw.Slice(hl.Shift, hl.Shifts).CopyTo(act.Slice(hl.Shift, hl.Shifts));
        Activations.SoftmaxInPlace(act.Slice(hl.Shift, hl.Shifts));                         // s: a distribution
        act[hl.Gamma] = T.One + Activations.Softplus(raw[hl.Gamma]);                        // gamma >= 1
        if (hl.IsWrite)
        {
            TensorPrimitives.Sigmoid<T>(raw.Slice(hl.Erase, hl.Width), act.Slice(hl.Erase, hl.Width));   // e in (0, 1)
            TensorPrimitives.Tanh<T>(raw.Slice(hl.Add, hl.Width), act.Slice(hl.Add, hl.Width));          // a in (-1, 1)
        }
    }

    // Reverses Forward in place: d holds dL/d(act) and becomes dL/d(raw). d, raw and act are (layout.Size).
    public static void Backward<T>(Span<T> d, ReadOnlySpan<T> raw, ReadOnlySpan<T> act, HeadLayout hl) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // k: linear, d unchanged
        d[hl.Beta] *= Activations.Sigmoid(raw[hl.Beta]);                    // softplus' = sigmoid
        T g = act[hl.Gate];
        d[hl.Gate] *= g * (T.One - g);                                      // sigmoid' = g (1 - g)
        Activations.SoftmaxBackward<T>(d.Slice(hl.Shift, hl.Shifts), act.Slice(hl.Shift, hl.Shifts), d.Slice(hl.Shift, hl.Shifts));
        d[hl.Gamma] *= Activations.Sigmoid(raw[hl.Gamma]);                  // (1 + softplus)' = sigmoid
        if (hl.IsWrite)
        {
            for (int j = 0; j < hl.Width; j++)
            {
                T e = act[hl.Erase + j], a = act[hl.Add + j];
                d[hl.Erase + j] *= e * (T.One - e);
                d[hl.Add + j] *= T.One - a * a;                             // tanh' = 1 - a^2
            }
        }
    }
}
