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
        int rows = batch * _h;
        for (int l = 0; l < _layers; l++)
        {
            int uw = ws.UWidth(l);
            AssembleInput(prm, ws, l, t, batch);
            Span<T> u = ws.U[l].AsSpan(t * batch * uw, batch * uw), hid = ws.Hid[l].AsSpan(t * rows, rows);
            if (_lstm)
                Lstm.Forward<T>(Slice(prm, _weight[l]), Slice(prm, _bias[l]), u, uw, ws.Gates[l].AsSpan(t * 4 * rows, 4 * rows),
                    t == 0 ? default : ws.C[l].AsSpan((t - 1) * rows, rows), ws.C[l].AsSpan(t * rows, rows),
                    ws.TanhC[l].AsSpan(t * rows, rows), hid, _h, batch);
            else
                FeedForward.Forward<T>(Slice(prm, _weight[l]), Slice(prm, _bias[l]), u, uw, hid, _h, batch);
        }
    }

    // Layer l's input at step t: [x_t; r_{t-1}] (layer 0) or the layer below's h_t, then h_{t-1} for an LSTM.
    private void AssembleInput(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch)
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
        int rows = batch * _h;
        for (int l = _layers - 1; l >= 0; l--)
        {
            int uw = ws.UWidth(l);
            Span<T> dU = ws.DU.AsSpan(0, batch * uw);
            if (_lstm)
                Lstm.Backward<T>(dU, ws.DGates[l].AsSpan(t * 4 * rows, 4 * rows), ws.DCNext[l].AsSpan(0, rows), ws.DHIn[l].AsSpan(0, rows),
                    ws.DHNext[l].AsSpan(0, rows), Slice(prm, _weight[l]), ws.Gates[l].AsSpan(t * 4 * rows, 4 * rows),
                    t == 0 ? default : ws.C[l].AsSpan((t - 1) * rows, rows), ws.TanhC[l].AsSpan(t * rows, rows), uw, _h, batch, clip);
            else
                FeedForward.Backward<T>(dU, ws.DGates[l].AsSpan(t * rows, rows), ws.DHIn[l].AsSpan(0, rows), Slice(prm, _weight[l]),
                    ws.Hid[l].AsSpan(t * rows, rows), uw, _h, batch, clip);
            SplitInputGradient(ws, l, batch, dU, uw);
        }
    }

    // dU = dL/d[layer input; h_prev]: the layer-input part goes to the layer below (or, for layer 0, its
    // read-vector part to r_{t-1}); an LSTM's h_prev part is carried to step t - 1.
    private void SplitInputGradient(ShardWorkspace<T> ws, int l, int batch, ReadOnlySpan<T> dU, int uw)
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> du = dU.Slice(b * uw, uw);
            int k = l == 0 ? _c.InputSize + _rm : _h;
            if (l > 0) du.Slice(0, _h).CopyTo(ws.DHIn[l - 1].AsSpan(b * _h, _h));
            else if (_rm > 0) du.Slice(_c.InputSize, _rm).CopyTo(ws.DRead.AsSpan(b * _rm, _rm));
            if (_lstm) du.Slice(k, _h).CopyTo(ws.DHNext[l].AsSpan(b * _h, _h));
        }
    }

    // The weight gradients of every step at once: dW += dGates^T U over (steps x batch) rows.
    public void WeightGradients(Span<T> grad, ShardWorkspace<T> ws, int rowsAll)
    {
        for (int l = 0; l < _layers; l++)
        {
            int gw = ws.GateWidth, uw = ws.UWidth(l);
            Numerics.Linear.WeightGradient<T>(grad.Slice(_weight[l].Offset, _weight[l].Length), grad.Slice(_bias[l].Offset, _bias[l].Length),
                gw, uw, ws.U[l], uw, ws.DGates[l], gw, rowsAll);
        }
    }
}
