using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Addressing;
using Ntm.Heads;
using Ntm.Memory;
using Ntm.Numerics;

namespace Ntm.Model;

/// <summary>
/// The machine's forward pass over a whole shard of sequences, and its hand-derived
/// backpropagation through time. Stateless: parameters, gradients and the per-step records are
/// passed in. Generic over the float type so that the same code is checked in double precision
/// against finite differences and run in single precision for training.
/// Per step t (paper section 3): controller input [x_t; r_{t-1}] -> controller output h_t -> head
/// parameters -> write heads address M_{t-1} and write M_t (eq. 3-4) -> read heads address M_t and
/// read r_t (eq. 2) -> y_t = sigmoid(W_o [h_t; r_t] + b_o).
/// </summary>
internal sealed class MachineEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NtmConfig _c;
    private readonly ParameterLayout _layout;
    private readonly int _n, _m, _h, _heads, _reads, _writes, _p;
    private readonly HeadLayout[] _headLayouts;
    private readonly int[] _headOffsets;
    private readonly ParameterTensor[] _ctrlW, _ctrlB;
    private readonly ParameterTensor? _headsW, _headsB, _initRead, _initW, _initMem;
    private readonly ParameterTensor _outW, _outB;

    public MachineEngine(NtmConfig config, ParameterLayout layout)
    {
        _c = config;
        _layout = layout;
        _n = config.MemoryRows;
        _m = config.MemoryWidth;
        _h = config.ControllerSize;
        _reads = config.ReadHeads;
        _writes = config.WriteHeads;
        _heads = config.Heads;
        _p = layout.HeadOutputSize;
        _headLayouts = new HeadLayout[_heads];
        _headOffsets = new int[_heads];
        int off = 0;
        for (int i = 0; i < _heads; i++)
        {
            _headLayouts[i] = new HeadLayout(_m, config.ShiftRange, isWrite: i < _writes);
            _headOffsets[i] = off;
            off += _headLayouts[i].Size;
        }
        _ctrlW = new ParameterTensor[config.ControllerLayers];
        _ctrlB = new ParameterTensor[config.ControllerLayers];
        for (int l = 0; l < config.ControllerLayers; l++)
        {
            _ctrlW[l] = layout[$"controller.{l}.weight"];
            _ctrlB[l] = layout[$"controller.{l}.bias"];
        }
        _outW = layout["output.weight"];
        _outB = layout["output.bias"];
        if (_heads > 0)
        {
            _headsW = layout["heads.weight"];
            _headsB = layout["heads.bias"];
            _initW = layout["init.weighting"];
        }
        if (_reads > 0) _initRead = layout["init.read"];
        if (layout.Contains("init.memory")) _initMem = layout["init.memory"];
    }

    private static ReadOnlySpan<T> Slice(ReadOnlySpan<T> p, ParameterTensor t) => p.Slice(t.Offset, t.Length);
    private static Span<T> Slice(Span<T> p, ParameterTensor t) => p.Slice(t.Offset, t.Length);

    // ---------------------------------------------------------------- forward

    /// <summary>Runs <paramref name="steps"/> steps for <paramref name="batch"/> sequences whose inputs are in ws.X.</summary>
    public void Forward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int steps, int batch)
    {
        int nm = _n * _m, layers = _c.ControllerLayers, rm = _reads * _m, outInW = ws.OutInWidth;
        bool lstm = _c.Controller == ControllerKind.Lstm;

        // Initial weightings w_{-1} = softmax(init.weighting) and initial memory M_{-1}.
        if (_heads > 0)
        {
            Slice(prm, _initW!).CopyTo(ws.InitW);
            for (int hd = 0; hd < _heads; hd++) Activations.SoftmaxInPlace(ws.InitW.AsSpan(hd * _n, _n));
            for (int b = 0; b < batch; b++)
            {
                Span<T> m0 = ws.Mem.AsSpan(b * nm, nm);
                if (_initMem is null) m0.Fill(T.CreateChecked(_c.MemoryInitValue));
                else Slice(prm, _initMem).CopyTo(m0);
                ContentAddressing.RowNorms<T>(m0, _m, ws.MemNorm.AsSpan(b * _n, _n));
            }
        }

        for (int t = 0; t < steps; t++)
        {
            // Controller.
            for (int l = 0; l < layers; l++)
            {
                int uw = ws.UWidth(l);
                Span<T> u = ws.U[l].AsSpan(t * batch * uw, batch * uw);
                for (int b = 0; b < batch; b++)
                {
                    Span<T> ub = u.Slice(b * uw, uw);
                    int k = 0;
                    if (l == 0)
                    {
                        ws.X.AsSpan((t * batch + b) * _c.InputSize, _c.InputSize).CopyTo(ub);
                        k = _c.InputSize;
                        if (_reads > 0)
                        {
                            ReadOnlySpan<T> rPrev = t == 0
                                ? Slice(prm, _initRead!)
                                : ws.OutIn.AsSpan(((t - 1) * batch + b) * outInW + _h, rm);
                            rPrev.CopyTo(ub.Slice(k));
                            k += rm;
                        }
                    }
                    else
                    {
                        ws.Hid[l - 1].AsSpan((t * batch + b) * _h, _h).CopyTo(ub);
                        k = _h;
                    }
                    if (lstm)
                    {
                        Span<T> hPrev = ub.Slice(k, _h);
                        if (t == 0) hPrev.Clear();
                        else ws.Hid[l].AsSpan(((t - 1) * batch + b) * _h, _h).CopyTo(hPrev);
                    }
                }
                if (lstm) LstmForward(prm, ws, l, t, batch);
                else FeedForwardLayer(prm, ws, l, t, batch);
            }

            Span<T> hTop = ws.Hid[layers - 1].AsSpan(t * batch * _h, batch * _h);
            Span<T> outIn = ws.OutIn.AsSpan(t * batch * outInW, batch * outInW);
            for (int b = 0; b < batch; b++) hTop.Slice(b * _h, _h).CopyTo(outIn.Slice(b * outInW, _h));

            if (_heads > 0)
            {
                Span<T> raw = ws.HeadRaw.AsSpan(t * batch * _p, batch * _p);
                Linear.Forward<T>(Slice(prm, _headsW!), Slice(prm, _headsB!), _p, _h, hTop, _h, raw, _p, batch);
                for (int b = 0; b < batch; b++) HeadsStepForward(ws, t, b, batch);
            }

            Linear.Forward<T>(Slice(prm, _outW), Slice(prm, _outB), _c.OutputSize, outInW, outIn, outInW,
                ws.Logits.AsSpan(t * batch * _c.OutputSize, batch * _c.OutputSize), _c.OutputSize, batch);
        }
    }

    private void LstmForward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch)
    {
        int uw = ws.UWidth(l), h = _h;
        Span<T> gates = ws.Gates[l].AsSpan(t * batch * 4 * h, batch * 4 * h);
        Linear.Forward<T>(Slice(prm, _ctrlW[l]), Slice(prm, _ctrlB[l]), 4 * h, uw,
            ws.U[l].AsSpan(t * batch * uw, batch * uw), uw, gates, 4 * h, batch);
        for (int b = 0; b < batch; b++)
        {
            Span<T> g = gates.Slice(b * 4 * h, 4 * h);
            TensorPrimitives.Sigmoid<T>(g.Slice(0, 2 * h), g.Slice(0, 2 * h));       // input, forget
            TensorPrimitives.Tanh<T>(g.Slice(2 * h, h), g.Slice(2 * h, h));           // cell candidate
            TensorPrimitives.Sigmoid<T>(g.Slice(3 * h, h), g.Slice(3 * h, h));        // output
            int o = (t * batch + b) * h;
            Span<T> c = ws.C[l].AsSpan(o, h), tc = ws.TanhC[l].AsSpan(o, h), hid = ws.Hid[l].AsSpan(o, h);
            // c = f c_prev + i g;  h = o tanh(c)
            TensorPrimitives.Multiply<T>(g.Slice(0, h), g.Slice(2 * h, h), c);
            if (t > 0) TensorPrimitives.FusedMultiplyAdd<T>(g.Slice(h, h), ws.C[l].AsSpan(o - batch * h, h), c, c);
            TensorPrimitives.Tanh<T>(c, tc);
            TensorPrimitives.Multiply<T>(g.Slice(3 * h, h), tc, hid);
        }
    }

    private void FeedForwardLayer(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int l, int t, int batch)
    {
        int uw = ws.UWidth(l);
        Span<T> hid = ws.Hid[l].AsSpan(t * batch * _h, batch * _h);
        Linear.Forward<T>(Slice(prm, _ctrlW[l]), Slice(prm, _ctrlB[l]), _h, uw,
            ws.U[l].AsSpan(t * batch * uw, batch * uw), uw, hid, _h, batch);
        TensorPrimitives.Tanh<T>(hid, hid);
    }

    private void HeadsStepForward(ShardWorkspace<T> ws, int t, int b, int batch)
    {
        int nm = _n * _m, sb = t * batch + b;
        ReadOnlySpan<T> raw = ws.HeadRaw.AsSpan(sb * _p, _p);
        Span<T> act = ws.HeadAct.AsSpan(sb * _p, _p);
        for (int hd = 0; hd < _heads; hd++) ActivateHead(raw.Slice(_headOffsets[hd]), act.Slice(_headOffsets[hd]), _headLayouts[hd]);

        ReadOnlySpan<T> memPrev = ws.Mem.AsSpan((t * batch + b) * nm, nm);
        ReadOnlySpan<T> normPrev = ws.MemNorm.AsSpan((t * batch + b) * _n, _n);
        Span<T> mem = ws.Mem.AsSpan(((t + 1) * batch + b) * nm, nm);
        Span<T> norm = ws.MemNorm.AsSpan(((t + 1) * batch + b) * _n, _n);

        // Write heads address M_{t-1}, then erase and add (eq. 3-4).
        for (int hd = 0; hd < _writes; hd++) AddressForward(ws, t, b, batch, hd, memPrev, normPrev);
        if (_writes > 0)
        {
            Span<T> e = ws.PackE.AsSpan(b * _writes * _m, _writes * _m), a = ws.PackA.AsSpan(b * _writes * _m, _writes * _m);
            for (int hd = 0; hd < _writes; hd++)
            {
                act.Slice(_headOffsets[hd] + _headLayouts[hd].Erase, _m).CopyTo(e.Slice(hd * _m));
                act.Slice(_headOffsets[hd] + _headLayouts[hd].Add, _m).CopyTo(a.Slice(hd * _m));
            }
            MemoryWrite.Forward<T>(memPrev, mem, ws.W.AsSpan(sb * _heads * _n, _writes * _n), e, a, _writes, _n, _m);
            ContentAddressing.RowNorms<T>(mem, _m, norm);
        }
        else
        {
            memPrev.CopyTo(mem);
            normPrev.CopyTo(norm);
        }

        // Read heads address M_t and read (eq. 2).
        int outInW = ws.OutInWidth;
        for (int r = 0; r < _reads; r++)
        {
            int hd = _writes + r;
            AddressForward(ws, t, b, batch, hd, mem, norm);
            MemoryRead.Forward<T>(ws.W.AsSpan((sb * _heads + hd) * _n, _n), mem, ws.OutIn.AsSpan(sb * outInW + _h + r * _m, _m));
        }
    }

    private static void ActivateHead(ReadOnlySpan<T> raw, Span<T> act, HeadLayout hl)
    {
        raw.Slice(hl.Key, hl.Width).CopyTo(act.Slice(hl.Key, hl.Width));                   // k: linear
        act[hl.Beta] = Activations.Softplus(raw[hl.Beta]);                                  // beta > 0
        act[hl.Gate] = Activations.Sigmoid(raw[hl.Gate]);                                  // g in (0, 1)
        raw.Slice(hl.Shift, hl.Shifts).CopyTo(act.Slice(hl.Shift, hl.Shifts));
        Activations.SoftmaxInPlace(act.Slice(hl.Shift, hl.Shifts));                         // s: a distribution
        act[hl.Gamma] = T.One + Activations.Softplus(raw[hl.Gamma]);                        // gamma >= 1
        if (hl.IsWrite)
        {
            TensorPrimitives.Sigmoid<T>(raw.Slice(hl.Erase, hl.Width), act.Slice(hl.Erase, hl.Width));   // e in (0, 1)
            TensorPrimitives.Tanh<T>(raw.Slice(hl.Add, hl.Width), act.Slice(hl.Add, hl.Width));          // a in (-1, 1)
        }
    }

    private void AddressForward(ShardWorkspace<T> ws, int t, int b, int batch, int hd,
        ReadOnlySpan<T> memory, ReadOnlySpan<T> norms)
    {
        int sb = t * batch + b, at = (sb * _heads + hd) * _n;
        HeadLayout hl = _headLayouts[hd];
        ReadOnlySpan<T> act = ws.HeadAct.AsSpan(sb * _p + _headOffsets[hd], hl.Size);
        ReadOnlySpan<T> wPrev = t == 0
            ? ws.InitW.AsSpan(hd * _n, _n)
            : ws.W.AsSpan((((t - 1) * batch + b) * _heads + hd) * _n, _n);
        Span<T> sim = ws.Sim.AsSpan(at, _n), wc = ws.Wc.AsSpan(at, _n), wg = ws.Wg.AsSpan(at, _n), wt = ws.Wt.AsSpan(at, _n), w = ws.W.AsSpan(at, _n);
        ws.KeyNorm[sb * _heads + hd] = ContentAddressing.Forward(act.Slice(hl.Key, _m), act[hl.Beta], memory, norms, sim, wc);
        Interpolation.Forward<T>(wc, wPrev, act[hl.Gate], wg);
        Shift.Forward<T>(wg, act.Slice(hl.Shift, hl.Shifts), wt);
        Sharpen.Forward<T>(wt, act[hl.Gamma], w);
    }

    // ---------------------------------------------------------------- loss

    /// <summary>
    /// Binary cross-entropy of the sigmoid outputs against the targets, summed over scored bits, in
    /// nats (stable form: softplus(z) - y z). Also counts bit errors (output thresholded at 0.5).
    /// Adds per-sequence figures into <paramref name="costNats"/> and <paramref name="bitErrors"/> (length batch).
    /// </summary>
    public void Loss(ShardWorkspace<T> ws, int steps, int batch, Span<double> costNats, Span<double> bitErrors)
    {
        int o = _c.OutputSize;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                T mask = ws.Mask[t * batch + b];
                if (mask == T.Zero) continue;
                int at = (t * batch + b) * o;
                double cost = 0, errors = 0;
                for (int j = 0; j < o; j++)
                {
                    double z = double.CreateChecked(ws.Logits[at + j]), y = double.CreateChecked(ws.Target[at + j]);
                    cost += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - y * z;
                    if ((z > 0) != (y > 0.5)) errors++;
                }
                double mk = double.CreateChecked(mask);
                costNats[b] += mk * cost;
                bitErrors[b] += mk * errors;
            }
    }

    // ---------------------------------------------------------------- backward

    /// <summary>
    /// Backpropagation through time of <c>lossScale</c> times the summed cross-entropy (in nats) of
    /// the last <see cref="Forward"/>. Accumulates into <paramref name="grad"/> (same layout as the parameters).
    /// When <paramref name="carryClip"/> is positive, the gradients carried from step to step (the
    /// controller's pre-activation gradients, the head outputs' gradients, the memory's gradient and
    /// the previous weightings' gradients) are clamped element-wise to +-carryClip times <paramref name="lossScale"/> at every step, as
    /// Graves (2013) clips the derivatives at the LSTM inputs: over long sequences the cosine
    /// similarity of nearly empty memory rows, and sharpening (whose Jacobian reaches gamma N), can
    /// otherwise amplify the gradient step after step until it overflows float32. Zero computes the
    /// exact gradient.
    /// </summary>
    public void Backward(ReadOnlySpan<T> prm, Span<T> grad, ShardWorkspace<T> ws, int steps, int batch, T lossScale, T carryClip = default)
    {
        T clip = carryClip > T.Zero ? carryClip * T.Abs(lossScale) : T.Zero;
        int nm = _n * _m, layers = _c.ControllerLayers, rm = _reads * _m, outInW = ws.OutInWidth, o = _c.OutputSize;
        bool lstm = _c.Controller == ControllerKind.Lstm;

        if (_heads > 0)
        {
            ws.DMemCur.AsSpan(0, batch * nm).Clear();
            ws.DWPrev.AsSpan(0, batch * _heads * _n).Clear();
        }
        ws.DRead.AsSpan(0, batch * rm).Clear();
        for (int l = 0; l < layers; l++)
        {
            ws.DHNext[l].AsSpan(0, batch * _h).Clear();
            ws.DCNext[l].AsSpan(0, batch * _h).Clear();
        }

        for (int t = steps - 1; t >= 0; t--)
        {
            // Output layer: z = W_o [h; r] + b_o, dL/dz = mask (sigmoid(z) - y).
            Span<T> dz = ws.DLogits.AsSpan(t * batch * o, batch * o);
            for (int b = 0; b < batch; b++)
            {
                T mk = ws.Mask[t * batch + b] * lossScale;
                int at = (t * batch + b) * o;
                for (int j = 0; j < o; j++)
                    dz[b * o + j] = mk == T.Zero ? T.Zero : mk * (Activations.Sigmoid(ws.Logits[at + j]) - ws.Target[at + j]);
            }
            Span<T> dOutIn = ws.DOutIn.AsSpan(0, batch * outInW);
            dOutIn.Clear();
            Linear.InputGradient<T>(dOutIn, outInW, Slice(prm, _outW), o, outInW, dz, o, batch);

            Span<T> dHTop = ws.DHIn[layers - 1].AsSpan(0, batch * _h);
            for (int b = 0; b < batch; b++)
            {
                dOutIn.Slice(b * outInW, _h).CopyTo(dHTop.Slice(b * _h, _h));
                if (_reads > 0)
                {
                    // dL/dr_t = from the output layer + from step t + 1's controller input
                    Span<T> dr = dOutIn.Slice(b * outInW + _h, rm);
                    TensorPrimitives.Add<T>(dr, ws.DRead.AsSpan(b * rm, rm), dr);
                }
            }

            if (_heads > 0)
            {
                Span<T> dAct = ws.DHeadAct.AsSpan(0, batch * _p);
                dAct.Clear();
                for (int b = 0; b < batch; b++) HeadsStepBackward(ws, t, b, batch);
                if (clip > T.Zero)
                {
                    TensorPrimitives.Clamp<T>(dAct, -clip, clip, dAct);
                    Span<T> dm = ws.DMemCur.AsSpan(0, batch * nm);
                    TensorPrimitives.Clamp<T>(dm, -clip, clip, dm);
                    Span<T> dwp = ws.DWPrev.AsSpan(0, batch * _heads * _n);
                    TensorPrimitives.Clamp<T>(dwp, -clip, clip, dwp);
                }
                // dAct now holds dL/d(raw head outputs).
                dAct.CopyTo(ws.DHeadRaw.AsSpan(t * batch * _p, batch * _p));
                Linear.InputGradient<T>(dHTop, _h, Slice(prm, _headsW!), _p, _h, dAct, _p, batch);
            }

            // Controller, top layer down.
            for (int l = layers - 1; l >= 0; l--)
            {
                if (lstm) LstmBackward(prm, grad, ws, l, t, batch, clip);
                else FeedForwardBackward(prm, grad, ws, l, t, batch, clip);
            }
        }

        // Weight gradients of every step at once: dW += dY^T X over (steps x batch) rows.
        int rowsAll = steps * batch;
        Linear.WeightGradient<T>(Slice(grad, _outW), Slice(grad, _outB), o, outInW, ws.OutIn, outInW, ws.DLogits, o, rowsAll);
        if (_heads > 0)
            Linear.WeightGradient<T>(Slice(grad, _headsW!), Slice(grad, _headsB!), _p, _h, ws.Hid[layers - 1], _h, ws.DHeadRaw, _p, rowsAll);
        for (int l = 0; l < layers; l++)
        {
            int gw = ws.GateWidth, uw = ws.UWidth(l);
            Linear.WeightGradient<T>(Slice(grad, _ctrlW[l]), Slice(grad, _ctrlB[l]), gw, uw, ws.U[l], uw, ws.DGates[l], gw, rowsAll);
        }

        // Initial state: r_{-1} = init.read, w_{-1} = softmax(init.weighting), M_{-1} = init.memory.
        if (_reads > 0)
        {
            Span<T> g = Slice(grad, _initRead!);
            for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(g, ws.DRead.AsSpan(b * rm, rm), g);
        }
        if (_heads > 0)
        {
            Span<T> g = Slice(grad, _initW!);
            Span<T> tmp = ws.ScratchA.AsSpan(0, _n), sum = ws.ScratchB.AsSpan(0, _n);
            for (int hd = 0; hd < _heads; hd++)
            {
                sum.Clear();
                for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(sum, ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n), sum);
                Activations.SoftmaxBackward<T>(tmp, ws.InitW.AsSpan(hd * _n, _n), sum);
                Span<T> gh = g.Slice(hd * _n, _n);
                TensorPrimitives.Add<T>(gh, tmp, gh);
            }
            if (_initMem is { Trainable: true })
            {
                Span<T> gm = Slice(grad, _initMem);
                for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(gm, ws.DMemCur.AsSpan(b * nm, nm), gm);
            }
        }
    }

    private void HeadsStepBackward(ShardWorkspace<T> ws, int t, int b, int batch)
    {
        int nm = _n * _m, sb = t * batch + b, outInW = ws.OutInWidth;
        Span<T> dAct = ws.DHeadAct.AsSpan(b * _p, _p);
        Span<T> dMem = ws.DMemCur.AsSpan(b * nm, nm);       // dL/dM_t
        Span<T> dMemPrev = ws.DMemPrev.AsSpan(b * nm, nm);  // becomes dL/dM_{t-1}
        ReadOnlySpan<T> mem = ws.Mem.AsSpan(((t + 1) * batch + b) * nm, nm);
        ReadOnlySpan<T> norm = ws.MemNorm.AsSpan(((t + 1) * batch + b) * _n, _n);
        ReadOnlySpan<T> memPrev = ws.Mem.AsSpan((t * batch + b) * nm, nm);
        ReadOnlySpan<T> normPrev = ws.MemNorm.AsSpan((t * batch + b) * _n, _n);
        ReadOnlySpan<T> dOutIn = ws.DOutIn.AsSpan(b * outInW, outInW);
        Span<T> dw = ws.ScratchE.AsSpan(0, _n);

        // Read heads: r = sum_i w(i) M_t(i), then their addressing on M_t.
        for (int r = 0; r < _reads; r++)
        {
            int hd = _writes + r;
            Span<T> carried = ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n);
            carried.CopyTo(dw);                                                  // dL/dw_t from step t + 1
            MemoryRead.Backward<T>(dw, dMem, dOutIn.Slice(_h + r * _m, _m), ws.W.AsSpan((sb * _heads + hd) * _n, _n), mem);
            AddressBackward(ws, t, b, batch, hd, dw, mem, norm, dMem, carried);
        }

        // Write: M_t = M_{t-1} * prod(1 - w e) + sum w a.
        if (_writes > 0)
        {
            dMemPrev.Clear();
            Span<T> dpw = ws.DPackW.AsSpan(0, _writes * _n), dpe = ws.DPackE.AsSpan(0, _writes * _m), dpa = ws.DPackA.AsSpan(0, _writes * _m);
            dpw.Clear(); dpe.Clear(); dpa.Clear();
            // PackE / PackA hold the last forward step's vectors; refill them with step t's.
            Span<T> e = ws.PackE.AsSpan(b * _writes * _m, _writes * _m), a = ws.PackA.AsSpan(b * _writes * _m, _writes * _m);
            ReadOnlySpan<T> actT = ws.HeadAct.AsSpan(sb * _p, _p);
            for (int hd = 0; hd < _writes; hd++)
            {
                actT.Slice(_headOffsets[hd] + _headLayouts[hd].Erase, _m).CopyTo(e.Slice(hd * _m));
                actT.Slice(_headOffsets[hd] + _headLayouts[hd].Add, _m).CopyTo(a.Slice(hd * _m));
            }
            MemoryWrite.Backward<T>(dMemPrev, dpw, dpe, dpa, dMem, memPrev, ws.W.AsSpan(sb * _heads * _n, _writes * _n),
                e, a, _writes, _n, _m);
            for (int hd = 0; hd < _writes; hd++)
            {
                HeadLayout hl = _headLayouts[hd];
                int off = _headOffsets[hd];
                TensorPrimitives.Add<T>(dAct.Slice(off + hl.Erase, _m), dpe.Slice(hd * _m, _m), dAct.Slice(off + hl.Erase, _m));
                TensorPrimitives.Add<T>(dAct.Slice(off + hl.Add, _m), dpa.Slice(hd * _m, _m), dAct.Slice(off + hl.Add, _m));
                Span<T> carried = ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n);
                TensorPrimitives.Add<T>(dpw.Slice(hd * _n, _n), carried, dw);
                AddressBackward(ws, t, b, batch, hd, dw, memPrev, normPrev, dMemPrev, carried);
            }
            dMemPrev.CopyTo(dMem);   // carry dL/dM_{t-1} to step t - 1
        }

        // Head output activations.
        ReadOnlySpan<T> raw = ws.HeadRaw.AsSpan(sb * _p, _p), act = ws.HeadAct.AsSpan(sb * _p, _p);
        for (int hd = 0; hd < _heads; hd++)
        {
            HeadLayout hl = _headLayouts[hd];
            int off = _headOffsets[hd];
            DeactivateHead(dAct.Slice(off, hl.Size), raw.Slice(off, hl.Size), act.Slice(off, hl.Size), hl);
        }
    }

    // Reverses ActivateHead in place: dAct (w.r.t. activations) becomes the gradient w.r.t. the raw outputs.
    private void DeactivateHead(Span<T> d, ReadOnlySpan<T> raw, ReadOnlySpan<T> act, HeadLayout hl)
    {
        d[hl.Beta] *= Activations.Sigmoid(raw[hl.Beta]);                    // softplus' = sigmoid
        T g = act[hl.Gate];
        d[hl.Gate] *= g * (T.One - g);
        Activations.SoftmaxBackward<T>(d.Slice(hl.Shift, hl.Shifts), act.Slice(hl.Shift, hl.Shifts), d.Slice(hl.Shift, hl.Shifts));
        d[hl.Gamma] *= Activations.Sigmoid(raw[hl.Gamma]);
        if (hl.IsWrite)
        {
            for (int j = 0; j < hl.Width; j++)
            {
                T e = act[hl.Erase + j], a = act[hl.Add + j];
                d[hl.Erase + j] *= e * (T.One - e);
                d[hl.Add + j] *= T.One - a * a;
            }
        }
    }

    // Reverses AddressForward for head hd at step t given dw = dL/dw_t. Accumulates the head's
    // activation gradients and dMemory; overwrites dWPrevOut with dL/dw_{t-1} from this step.
    private void AddressBackward(ShardWorkspace<T> ws, int t, int b, int batch, int hd, ReadOnlySpan<T> dw,
        ReadOnlySpan<T> memory, ReadOnlySpan<T> norms, Span<T> dMemory, Span<T> dWPrevOut)
    {
        int sb = t * batch + b, at = (sb * _heads + hd) * _n;
        HeadLayout hl = _headLayouts[hd];
        ReadOnlySpan<T> act = ws.HeadAct.AsSpan(sb * _p + _headOffsets[hd], hl.Size);
        Span<T> dAct = ws.DHeadAct.AsSpan(b * _p + _headOffsets[hd], hl.Size);
        ReadOnlySpan<T> wPrev = t == 0
            ? ws.InitW.AsSpan(hd * _n, _n)
            : ws.W.AsSpan((((t - 1) * batch + b) * _heads + hd) * _n, _n);
        ReadOnlySpan<T> sim = ws.Sim.AsSpan(at, _n), wc = ws.Wc.AsSpan(at, _n), wg = ws.Wg.AsSpan(at, _n), wt = ws.Wt.AsSpan(at, _n), w = ws.W.AsSpan(at, _n);
        Span<T> dWt = ws.ScratchA.AsSpan(0, _n), dWg = ws.ScratchB.AsSpan(0, _n), dWc = ws.ScratchC.AsSpan(0, _n), scratch = ws.ScratchD.AsSpan(0, 2 * _n);
        dWt.Clear(); dWg.Clear(); dWc.Clear();

        dAct[hl.Gamma] += Sharpen.Backward(dWt, dw, wt, act[hl.Gamma], w, scratch);
        Shift.Backward<T>(dWg, dAct.Slice(hl.Shift, hl.Shifts), dWt, wg, act.Slice(hl.Shift, hl.Shifts));
        dWPrevOut.Clear();
        dAct[hl.Gate] += Interpolation.Backward<T>(dWc, dWPrevOut, dWg, wc, wPrev, act[hl.Gate]);
        dAct[hl.Beta] += ContentAddressing.Backward(dAct.Slice(hl.Key, _m), dMemory, dWc, act.Slice(hl.Key, _m), act[hl.Beta],
            ws.KeyNorm[sb * _heads + hd], memory, norms, sim, wc, scratch);
    }

    private void LstmBackward(ReadOnlySpan<T> prm, Span<T> grad, ShardWorkspace<T> ws, int l, int t, int batch, T clip)
    {
        int h = _h, uw = ws.UWidth(l);
        Span<T> dGates = ws.DGates[l].AsSpan(t * batch * 4 * h, batch * 4 * h);
        for (int b = 0; b < batch; b++)
        {
            int o = (t * batch + b) * h;
            ReadOnlySpan<T> g = ws.Gates[l].AsSpan((t * batch + b) * 4 * h, 4 * h);
            ReadOnlySpan<T> tc = ws.TanhC[l].AsSpan(o, h);
            Span<T> dh = ws.DHIn[l].AsSpan(b * h, h), dhNext = ws.DHNext[l].AsSpan(b * h, h), dcNext = ws.DCNext[l].AsSpan(b * h, h);
            Span<T> dg = dGates.Slice(b * 4 * h, 4 * h);
            for (int j = 0; j < h; j++)
            {
                T i = g[j], f = g[h + j], cc = g[2 * h + j], og = g[3 * h + j];
                T dhj = dh[j] + dhNext[j];                       // from above and from step t + 1
                T dc = dcNext[j] + dhj * og * (T.One - tc[j] * tc[j]);   // h = o tanh(c)
                T cPrev = t == 0 ? T.Zero : ws.C[l][o - batch * h + j];
                dg[3 * h + j] = dhj * tc[j] * og * (T.One - og);
                dg[j] = dc * cc * i * (T.One - i);              // c = f c_prev + i g
                dg[2 * h + j] = dc * i * (T.One - cc * cc);
                dg[h + j] = dc * cPrev * f * (T.One - f);
                dcNext[j] = dc * f;                              // dL/dc_{t-1}
            }
        }
        if (clip > T.Zero) TensorPrimitives.Clamp<T>(dGates, -clip, clip, dGates);
        Span<T> dU = ws.DU.AsSpan(0, batch * uw);
        dU.Clear();
        Linear.InputGradient<T>(dU, uw, Slice(prm, _ctrlW[l]), 4 * h, uw, dGates, 4 * h, batch);
        SplitInputGradient(ws, l, batch, dU, uw, recurrent: true);
    }

    private void FeedForwardBackward(ReadOnlySpan<T> prm, Span<T> grad, ShardWorkspace<T> ws, int l, int t, int batch, T clip)
    {
        int h = _h, uw = ws.UWidth(l);
        Span<T> dPre = ws.DGates[l].AsSpan(t * batch * h, batch * h);
        ReadOnlySpan<T> hid = ws.Hid[l].AsSpan(t * batch * h, batch * h);
        ReadOnlySpan<T> dh = ws.DHIn[l].AsSpan(0, batch * h);
        for (int k = 0; k < batch * h; k++) dPre[k] = dh[k] * (T.One - hid[k] * hid[k]);   // h = tanh(pre)
        if (clip > T.Zero) TensorPrimitives.Clamp<T>(dPre, -clip, clip, dPre);
        Span<T> dU = ws.DU.AsSpan(0, batch * uw);
        dU.Clear();
        Linear.InputGradient<T>(dU, uw, Slice(prm, _ctrlW[l]), h, uw, dPre, h, batch);
        SplitInputGradient(ws, l, batch, dU, uw, recurrent: false);
    }

    // dU = dL/d[layer input; h_prev]: the layer-input part goes to the layer below (or, for layer 0, its
    // read-vector part to r_{t-1}); the h_prev part is carried to step t - 1.
    private void SplitInputGradient(ShardWorkspace<T> ws, int l, int batch, ReadOnlySpan<T> dU, int uw, bool recurrent)
    {
        int h = _h, rm = _reads * _m;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> du = dU.Slice(b * uw, uw);
            int k;
            if (l == 0)
            {
                k = _c.InputSize;
                if (rm > 0) du.Slice(k, rm).CopyTo(ws.DRead.AsSpan(b * rm, rm));
                k += rm;
            }
            else
            {
                du.Slice(0, h).CopyTo(ws.DHIn[l - 1].AsSpan(b * h, h));
                k = h;
            }
            if (recurrent) du.Slice(k, h).CopyTo(ws.DHNext[l].AsSpan(b * h, h));
        }
    }
}
