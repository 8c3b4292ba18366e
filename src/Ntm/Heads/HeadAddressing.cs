using System.Numerics;
using Ntm.Addressing;

namespace Ntm.Heads;

/// <summary>
/// One head's addressing chain (paper section 3.3, fig. 2): content weighting (eq. 5-6), interpolation
/// with the previous weighting (eq. 7), convolutional shift (eq. 8) and sharpening (eq. 9). Each
/// step is its own file in <c>Addressing/</c>; this file only chains them and keeps what the
/// backward pass needs.
/// </summary>
internal static class HeadAddressing
{
    // act is the head's activated outputs (layout.Size); memory is (N, M) with row norms (N); wPrev is
    // w_{t-1} (N). Records the intermediate weightings sim, wc, wg, wt (N each) and the result w (N);
    // returns |k| for the backward pass.
    public static T Forward<T>(ReadOnlySpan<T> act, HeadLayout hl, ReadOnlySpan<T> wPrev, ReadOnlySpan<T> memory, ReadOnlySpan<T> norms,
        Span<T> sim, Span<T> wc, Span<T> wg, Span<T> wt, Span<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T keyNorm = ContentAddressing.Forward(act.Slice(hl.Key, hl.Width), act[hl.Beta], memory, norms, sim, wc);   // eq. 5-6
        Interpolation.Forward<T>(wc, wPrev, act[hl.Gate], wg);                                                      // eq. 7
        Shift.Forward<T>(wg, act.Slice(hl.Shift, hl.Shifts), wt);                                                   // eq. 8
        Sharpen.Forward<T>(wt, act[hl.Gamma], w);                                                                   // eq. 9
        return keyNorm;
    }

    // Reverses Forward given dw = dL/dw_t (N): accumulates the head's activation gradients into dAct
    // (layout.Size) and the memory's into dMemory (N, M); overwrites dWPrev (N) with dL/dw_{t-1}.
    // dWt, dWg and dWc are scratch rows of N (the gradients of wt, wg and wc); scratch is 2N.
    public static void Backward<T>(Span<T> dAct, Span<T> dMemory, Span<T> dWPrev, ReadOnlySpan<T> dw,
        ReadOnlySpan<T> act, HeadLayout hl, ReadOnlySpan<T> wPrev, ReadOnlySpan<T> memory, ReadOnlySpan<T> norms, T keyNorm,
        ReadOnlySpan<T> sim, ReadOnlySpan<T> wc, ReadOnlySpan<T> wg, ReadOnlySpan<T> wt, ReadOnlySpan<T> w,
        Span<T> dWt, Span<T> dWg, Span<T> dWc, Span<T> scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dWt.Clear(); dWg.Clear(); dWc.Clear();
        dAct[hl.Gamma] += Sharpen.Backward(dWt, dw, wt, act[hl.Gamma], w, scratch);                              // eq. 9
        Shift.Backward<T>(dWg, dAct.Slice(hl.Shift, hl.Shifts), dWt, wg, act.Slice(hl.Shift, hl.Shifts));           // eq. 8
        dWPrev.Clear();
        dAct[hl.Gate] += Interpolation.Backward<T>(dWc, dWPrev, dWg, wc, wPrev, act[hl.Gate]);                      // eq. 7
        dAct[hl.Beta] += ContentAddressing.Backward(dAct.Slice(hl.Key, hl.Width), dMemory, dWc, act.Slice(hl.Key, hl.Width),  // eq. 5-6
            act[hl.Beta], keyNorm, memory, norms, sim, wc, scratch);
    }
}
