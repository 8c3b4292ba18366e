using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Numerics;

namespace Ntm.Controllers;

/// <summary>
/// One LSTM layer of the controller (Hochreiter and Schmidhuber 1997, with a forget gate; the
/// paper's NTM-LSTM, section 3.4) over a shard of sequences, one time step:
/// [i f g o] = W u + b, i f o = sigmoid, g = tanh; c_t = f c_{t-1} + i g; h_t = o tanh(c_t).
/// </summary>
internal static class Lstm
{
    // weight is (4H, U), bias is (4H); u is (batch, U) = [layer input; h_{t-1}]. Writes the activated gates
    // (batch, 4H), the cell c (batch, H), tanh(c) (batch, H) and the output h (batch, H). cPrev is
    // c_{t-1} (batch, H), or empty at the first step (c_{-1} = 0).
    public static void Forward<T>(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> u, int uWidth,
        Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tanhC, Span<T> h, int hidden, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Forward(weight, bias, u, uWidth, gates, cPrev, c, tanhC, h, hidden, batch, 0, hidden);

    // The same for the units [j0, j1) only: rows j0..j1 of each gate's block of W, and the cell and output
    // of those units; the other entries are left alone, so threads can each take a range of units.
    public static void Forward<T>(ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, ReadOnlySpan<T> u, int uWidth,
        Span<T> gates, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> tanhC, Span<T> h, int hidden, int batch, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = hidden, k = j1 - j0;
        if (k <= 0) return;
        if (k == n) Linear.Forward<T>(weight, bias, 4 * n, uWidth, u, uWidth, gates, 4 * n, batch);
        else
            for (int q = 0; q < 4; q++)   // gate q's rows for these units
            {
                int r0 = q * n + j0;
                Linear.Forward<T>(weight.Slice(r0 * uWidth), bias.Slice(r0), k, uWidth, u, uWidth, gates.Slice(r0), 4 * n, batch);
            }
        for (int b = 0; b < batch; b++)
        {
            Span<T> g = gates.Slice(b * 4 * n, 4 * n);
            if (k == n) TensorPrimitives.Sigmoid<T>(g.Slice(0, 2 * n), g.Slice(0, 2 * n));   // input, forget
            else
            {
                TensorPrimitives.Sigmoid<T>(g.Slice(j0, k), g.Slice(j0, k));
                TensorPrimitives.Sigmoid<T>(g.Slice(n + j0, k), g.Slice(n + j0, k));
            }
            TensorPrimitives.Tanh<T>(g.Slice(2 * n + j0, k), g.Slice(2 * n + j0, k));     // cell candidate
            TensorPrimitives.Sigmoid<T>(g.Slice(3 * n + j0, k), g.Slice(3 * n + j0, k));  // output
            Span<T> cb = c.Slice(b * n + j0, k), tc = tanhC.Slice(b * n + j0, k);
            // c = f c_prev + i g;  h = o tanh(c)
            TensorPrimitives.Multiply<T>(g.Slice(j0, k), g.Slice(2 * n + j0, k), cb);
            if (!cPrev.IsEmpty) TensorPrimitives.FusedMultiplyAdd<T>(g.Slice(n + j0, k), cPrev.Slice(b * n + j0, k), cb, cb);
            TensorPrimitives.Tanh<T>(cb, tc);
            TensorPrimitives.Multiply<T>(g.Slice(3 * n + j0, k), tc, h.Slice(b * n + j0, k));
        }
    }

    // Reverses Forward. dH is dL/dh_t from the layer above (or the heads and output) and dHNext the part
    // carried from step t + 1 (batch, H each); dC holds dL/dc_t from step t + 1 and becomes dL/dc_{t-1}.
    // Writes dL/d(pre-activations) into dGates (batch, 4H), clamped to +-clip when clip > 0, and
    // overwrites dU (batch, U) with dL/du.
    public static void Backward<T>(Span<T> dU, Span<T> dGates, Span<T> dC, ReadOnlySpan<T> dH, ReadOnlySpan<T> dHNext,
        ReadOnlySpan<T> weight, ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC,
        int uWidth, int hidden, int batch, T clip) where T : unmanaged, IFloatingPointIeee754<T>
    {
        BackwardCell(dGates, dC, dH, dHNext, gates, cPrev, tanhC, hidden, batch, clip);
        dU.Clear();
        Linear.InputGradient<T>(dU, uWidth, weight, 4 * hidden, uWidth, dGates, 4 * hidden, batch);
    }

    // The element-wise part of Backward: everything but dU = W^T dGates.
    public static void BackwardCell<T>(Span<T> dGates, Span<T> dC, ReadOnlySpan<T> dH, ReadOnlySpan<T> dHNext,
        ReadOnlySpan<T> gates, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> tanhC, int hidden, int batch, T clip)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = hidden;
        for (int b = 0; b < batch; b++)
        {
            int o = b * n;
            ReadOnlySpan<T> g = gates.Slice(b * 4 * n, 4 * n);
            Span<T> dg = dGates.Slice(b * 4 * n, 4 * n);
            for (int j = 0; j < n; j++)
            {
                T i = g[j], f = g[n + j], cc = g[2 * n + j], og = g[3 * n + j], tc = tanhC[o + j];
                T dhj = dH[o + j] + dHNext[o + j];                 // from above and from step t + 1
                T dc = dC[o + j] + dhj * og * (T.One - tc * tc);   // h = o tanh(c)
                T cp = cPrev.IsEmpty ? T.Zero : cPrev[o + j];
                dg[3 * n + j] = dhj * tc * og * (T.One - og);
                dg[j] = dc * cc * i * (T.One - i);                 // c = f c_prev + i g
                dg[2 * n + j] = dc * i * (T.One - cc * cc);
                dg[n + j] = dc * cp * f * (T.One - f);
                dC[o + j] = dc * f;                                // dL/dc_{t-1}
            }
        }
        if (clip > T.Zero) TensorPrimitives.Clamp<T>(dGates, -clip, clip, dGates);
    }
}
