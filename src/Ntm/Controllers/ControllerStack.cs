using System.Numerics;
using Ntm.Model;

namespace Ntm.Controllers;

/// <summary>
/// The controller (paper section 3.4) over a shard, one time step: its layers bottom up, each fed
/// [x_t; r_{t-1}] (layer 0) or the layer below's output, followed by its own previous output for an
/// LSTM; backward, top down, handing each layer's input gradient to the layer below, to the previous
/// read vectors and to the previous step.
/// </summary>
internal sealed class ControllerStack<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NtmConfig _c;
    private readonly int _h, _rm, _layers;
    private readonly bool _lstm;
    private readonly ParameterTensor[] _weight, _bias;
    private readonly ParameterTensor? _initRead;

    public ControllerStack(NtmConfig config, ParameterLayout layout)
    {
        _c = config;
        (_h, _rm, _layers) = (config.ControllerSize, config.ReadHeads * config.MemoryWidth, config.ControllerLayers);
        _lstm = config.Controller == ControllerKind.Lstm;
        _weight = Enumerable.Range(0, _layers).Select(l => layout[$"controller.{l}.weight"]).ToArray();
        _bias = Enumerable.Range(0, _layers).Select(l => layout[$"controller.{l}.bias"]).ToArray();
        if (config.ReadHeads > 0) _initRead = layout["init.read"];
    }

    private static ReadOnlySpan<T> Slice(ReadOnlySpan<T> p, ParameterTensor t) => p.Slice(t.Offset, t.Length);

    // Step t for every sequence of the shard: fills ws.U[l], ws.Hid[l] (and the LSTM's gates and cells) at t.
    public void Forward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int t, int batch)
    {
        for (int l = 0; l < _layers; l++)
        {
            AssembleInput(prm, ws, l, t, batch);
            ForwardLayer(prm, ws, l, t, batch, 0, _h);
        }
    }

    // Layer l at step t for the units [j0, j1) only, its input already assembled: the rows of its matrix
    // that feed those units, then their activations. Threads sharing a step each take a range of units.
    public void ForwardLayer(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch, int j0, int j1)
    {
        int rows = batch * _h, uw = ws.UWidth(l);
        Span<T> u = ws.U[l].AsSpan(t * batch * uw, batch * uw), hid = ws.Hid[l].AsSpan(t * rows, rows);
        if (_lstm)
            Lstm.Forward<T>(Slice(prm, _weight[l]), Slice(prm, _bias[l]), u, uw, ws.Gates[l].AsSpan(t * 4 * rows, 4 * rows),
                t == 0 ? default : ws.C[l].AsSpan((t - 1) * rows, rows), ws.C[l].AsSpan(t * rows, rows),
                ws.TanhC[l].AsSpan(t * rows, rows), hid, _h, batch, j0, j1);
        else
            FeedForward.Forward<T>(Slice(prm, _weight[l]), Slice(prm, _bias[l]), u, uw, hid, _h, batch, j0, j1);
    }

    // Layer l's input at step t: [x_t; r_{t-1}] (layer 0) or the layer below's h_t, then h_{t-1} for an LSTM.
    public void AssembleInput(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch)
    {
        int uw = ws.UWidth(l), inW = _c.InputSize;
        for (int b = 0; b < batch; b++)
        {
            Span<T> u = ws.U[l].AsSpan((t * batch + b) * uw, uw);
            int k = l == 0 ? inW + _rm : _h;
            if (l > 0) ws.Hid[l - 1].AsSpan((t * batch + b) * _h, _h).CopyTo(u);
            else
            {
                ws.X.AsSpan((t * batch + b) * inW, inW).CopyTo(u);
                if (_rm > 0)
                    (t == 0 ? Slice(prm, _initRead!) : ws.OutIn.AsSpan(((t - 1) * batch + b) * ws.OutInWidth + _h, _rm)).CopyTo(u.Slice(inW));
            }
            if (!_lstm) continue;
            if (t == 0) u.Slice(k, _h).Clear();
            else ws.Hid[l].AsSpan(((t - 1) * batch + b) * _h, _h).CopyTo(u.Slice(k));
        }
    }

    // Reverses Forward at step t, given dL/dh_t of the top layer in ws.DHIn[top]: writes ws.DGates[l] at t,
    // dL/dr_{t-1} into ws.DRead and carries dL/dh_{t-1}, dL/dc_{t-1} in ws.DHNext, ws.DCNext.
    public void Backward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int t, int batch, T clip)
    {
        for (int l = _layers - 1; l >= 0; l--)
        {
            BackwardCell(ws, l, t, batch, clip);
            InputGradient(prm, ws, l, t, batch, 0, ws.UWidth(l));
        }
    }

    // The element-wise part of layer l's backward at step t: ws.DGates[l] at t from dL/dh_t (and the carried cell gradient).
    public void BackwardCell(ShardWorkspace<T> ws, int l, int t, int batch, T clip)
    {
        int rows = batch * _h;
        if (_lstm)
            Lstm.BackwardCell<T>(ws.DGates[l].AsSpan(t * 4 * rows, 4 * rows), ws.DCNext[l].AsSpan(0, rows), ws.DHIn[l].AsSpan(0, rows),
                ws.DHNext[l].AsSpan(0, rows), ws.Gates[l].AsSpan(t * 4 * rows, 4 * rows),
                t == 0 ? default : ws.C[l].AsSpan((t - 1) * rows, rows), ws.TanhC[l].AsSpan(t * rows, rows), _h, batch, clip);
        else
            FeedForward.BackwardCell<T>(ws.DGates[l].AsSpan(t * rows, rows), ws.DHIn[l].AsSpan(0, rows), ws.Hid[l].AsSpan(t * rows, rows), _h, batch, clip);
    }

    // dL/du = W^T dL/d(pre-activations) of layer l at step t over the input columns [c0, c1), handed on to the
    // layer below, to r_{t-1} and to h_{t-1} (SplitInputGradient). One sequence goes by output columns, so threads
    // can each take a range (ColumnInputGradient: the sums do not depend on the split); a wider shard takes every
    // column at once through Linear.
    public void InputGradient(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch, int c0, int c1)
    {
        int uw = ws.UWidth(l), gw = ws.GateWidth;
        ReadOnlySpan<T> w = Slice(prm, _weight[l]), dGates = ws.DGates[l].AsSpan(t * batch * gw, batch * gw);
        Span<T> dU = ws.DU.AsSpan(0, batch * uw);
        if (batch == 1)
        {
            dU.Slice(c0, c1 - c0).Clear();
            Numerics.ColumnInputGradient.Accumulate<T>(dU, w, gw, uw, dGates, c0, c1);
        }
        else
        {
            if (c0 != 0 || c1 != uw) throw new ArgumentException("A shard of several sequences takes every input column at once.");
            dU.Clear();
            Numerics.Linear.InputGradient<T>(dU, uw, w, gw, uw, dGates, gw, batch);
        }
        SplitInputGradient(ws, l, batch, dU, uw, c0, c1);
    }

    // dU = dL/d[layer input; h_prev], columns [c0, c1): the layer-input part goes to the layer below (or, for layer 0,
    // its read-vector part to r_{t-1}); an LSTM's h_prev part is carried to step t - 1.
    private void SplitInputGradient(ShardWorkspace<T> ws, int l, int batch, ReadOnlySpan<T> dU, int uw, int c0, int c1)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> du = dU.Slice(b * uw, uw);
            int k = l == 0 ? _c.InputSize + _rm : _h;
            if (l > 0) CopyColumns(du, 0, ws.DHIn[l - 1].AsSpan(b * _h, _h), c0, c1);
            else if (_rm > 0) CopyColumns(du, _c.InputSize, ws.DRead.AsSpan(b * _rm, _rm), c0, c1);
            if (_lstm) CopyColumns(du, k, ws.DHNext[l].AsSpan(b * _h, _h), c0, c1);
        }
    }

    // Copies du[from, from + to.Length) into to, only the entries whose column lies in [c0, c1).
    private static void CopyColumns(ReadOnlySpan<T> du, int from, Span<T> to, int c0, int c1)
    {
        int a = Math.Max(from, c0), z = Math.Min(from + to.Length, c1);
        if (z > a) du.Slice(a, z - a).CopyTo(to.Slice(a - from));
    }

    // The weight gradients of every step at once: dW += dGates^T U over (steps x batch) rows; part `part` of `parts`
    // takes its share of each matrix's rows (whole blocks of RowAlignment rows), so threads can share the product.
    public void WeightGradients(Span<T> grad, ShardWorkspace<T> ws, int rowsAll, int part = 0, int parts = 1)
    {
        for (int l = 0; l < _layers; l++)
        {
            int gw = ws.GateWidth, uw = ws.UWidth(l);
            (int r0, int r1) = Numerics.WorkerTeam.Split(gw, parts, part, Numerics.WorkerTeam.RowAlignment);
            if (r1 <= r0) continue;
            Numerics.Linear.WeightGradient<T>(grad.Slice(_weight[l].Offset + r0 * uw, (r1 - r0) * uw), grad.Slice(_bias[l].Offset + r0, r1 - r0),
                r1 - r0, uw, ws.U[l], uw, ws.DGates[l].AsSpan(r0), gw, rowsAll);
        }
    }
}
