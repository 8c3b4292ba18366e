using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Addressing;
using Ntm.Controllers;
using Ntm.Heads;
using Ntm.Numerics;
using Ntm.Training;

namespace Ntm.Model;

/// <summary>
/// The machine's loop over time, forward and back, and the order of the calls. Every concept it
/// calls is a file of its own with its forward above its backward: the controller
/// (<see cref="ControllerStack{T}"/>: <c>Controllers/Lstm.cs</c>, <c>Controllers/FeedForward.cs</c>), the heads
/// (<see cref="HeadsStep{T}"/>: activations, addressing eq. 5-9, reading eq. 2, writing eq. 3-4), the
/// output layer (<see cref="Linear"/>) and the loss (<see cref="BitLoss"/>). It holds only the configuration: parameters,
/// gradients and the per-step records (<see cref="ShardWorkspace{T}"/>) are passed in. Generic over
/// the float type so that the same code is checked in double precision against finite differences
/// and run in single precision for training.
/// Per step t (paper section 3): controller input [x_t; r_{t-1}] -> controller output h_t -> head
/// parameters -> write heads address M_{t-1} and write M_t -> read heads address M_t and read r_t
/// -> y_t = sigmoid(W_o [h_t; r_t] + b_o).
/// </summary>
internal sealed class MachineEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NtmConfig _c;
    private readonly int _n, _m, _h, _heads, _reads, _p, _layers;
    private readonly ControllerStack<T> _controller;
    private readonly HeadsStep<T> _headsStep;
    private readonly ParameterTensor? _headsW, _headsB, _initRead, _initW, _initMem;
    private readonly ParameterTensor _outW, _outB;

    public MachineEngine(NtmConfig config, ParameterLayout layout)
    {
        _c = config;
        (_n, _m, _h, _layers) = (config.MemoryRows, config.MemoryWidth, config.ControllerSize, config.ControllerLayers);
        (_reads, _heads, _p) = (config.ReadHeads, config.Heads, layout.HeadOutputSize);
        _controller = new ControllerStack<T>(config, layout);
        _headsStep = new HeadsStep<T>(config, layout);
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

    /// <summary>Runs <paramref name="steps"/> steps for <paramref name="batch"/> sequences whose inputs are in ws.X.</summary>
    public void Forward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int steps, int batch)
        => ForwardPart(prm, ws, steps, batch, 0, null);

    // Member `member` of `team` (null: the only one) runs its part of the forward pass. One sequence is shared by
    // output rows and columns: each member takes a range of the controller's units (WorkerTeam.Split), and member 0
    // alone runs what lies between (the layer inputs, the heads, the output layer), the others waiting at the barrier.
    private void ForwardPart(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int steps, int batch, int member, WorkerTeam? team)
    {
        int nm = _n * _m, outInW = ws.OutInWidth, h = _h, o = _c.OutputSize, parts = team?.Size ?? 1;
        bool lead = member == 0;
        (int j0, int j1) = WorkerTeam.Split(h, parts, member, WorkerTeam.RowAlignment);
        if (_heads > 0 && lead)
        {
            // Initial weightings w_{-1} = softmax(init.weighting) and initial memory M_{-1}.
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
            for (int l = 0; l < _layers; l++)
            {
                if (lead) _controller.AssembleInput(prm, ws, l, t, batch);
                team?.Barrier(member);
                _controller.ForwardLayer(prm, ws, l, t, batch, j0, j1);
                team?.Barrier(member);
            }
            if (!lead) continue;
            Span<T> hTop = ws.Hid[_layers - 1].AsSpan(t * batch * h, batch * h);
            Span<T> outIn = ws.OutIn.AsSpan(t * batch * outInW, batch * outInW);
            for (int b = 0; b < batch; b++) hTop.Slice(b * h, h).CopyTo(outIn.Slice(b * outInW, h));
            if (_heads > 0)
            {
                Linear.Forward<T>(Slice(prm, _headsW!), Slice(prm, _headsB!), _p, h, hTop, h, ws.HeadRaw.AsSpan(t * batch * _p, batch * _p), _p, batch);
                for (int b = 0; b < batch; b++) _headsStep.Forward(ws, t, b, batch);   // fills r_t into outIn
            }
            Linear.Forward<T>(Slice(prm, _outW), Slice(prm, _outB), o, outInW, outIn, outInW, ws.Logits.AsSpan(t * batch * o, batch * o), o, batch);
        }
    }

    /// <summary>
    /// The summed cross-entropy (in nats) and bit errors of the last <see cref="Forward"/>, per sequence,
    /// added into <paramref name="costNats"/> and <paramref name="bitErrors"/> (length batch).
    /// </summary>
    public void Loss(ShardWorkspace<T> ws, int steps, int batch, Span<double> costNats, Span<double> bitErrors)
        => BitLoss.Forward<T>(ws.Logits, ws.Target, ws.Mask, _c.OutputSize, steps, batch, costNats, bitErrors);

    /// <summary>
    /// Backpropagation through time of <c>lossScale</c> times the summed cross-entropy (in nats) of
    /// the last <see cref="Forward"/>. Accumulates into <paramref name="grad"/> (same layout as the parameters).
    /// When <paramref name="carryClip"/> is positive, the gradients carried from step to step (the
    /// controller's pre-activation gradients, the head outputs' gradients, the memory's gradient and
    /// the previous weightings' gradients) are clamped element-wise to +-carryClip times <paramref name="lossScale"/>
    /// at every step, as Graves (2013) clips the derivatives at the LSTM inputs: over long sequences the cosine
    /// similarity of nearly empty memory rows, and sharpening (whose Jacobian reaches gamma N), can
    /// otherwise amplify the gradient step after step until it overflows float32. Zero computes the exact gradient.
    /// </summary>
    public void Backward(ReadOnlySpan<T> prm, Span<T> grad, ShardWorkspace<T> ws, int steps, int batch, T lossScale, T carryClip = default)
        => BackwardPart(prm, grad, ws, steps, batch, lossScale, carryClip, 0, null);

    // Member `member` of `team` (null: the only one) runs its part of the backward pass: a range of the controller's
    // input columns at every step and of the weight matrices' rows at the end; member 0 alone runs the rest.
    private void BackwardPart(ReadOnlySpan<T> prm, Span<T> grad, ShardWorkspace<T> ws, int steps, int batch, T lossScale, T carryClip,
        int member, WorkerTeam? team)
    {
        if (ws.Streaming) throw new InvalidOperationException("A streaming workspace keeps two time slots only; it cannot run backward.");
        T clip = carryClip > T.Zero ? carryClip * T.Abs(lossScale) : T.Zero;
        int nm = _n * _m, rm = _reads * _m, outInW = ws.OutInWidth, o = _c.OutputSize, h = _h, parts = team?.Size ?? 1;
        bool lead = member == 0;
        if (lead)
        {
            if (_heads > 0)
            {
                ws.DMemCur.AsSpan(0, batch * nm).Clear();
                ws.DWPrev.AsSpan(0, batch * _heads * _n).Clear();
            }
            ws.DRead.AsSpan(0, batch * rm).Clear();
            for (int l = 0; l < _layers; l++)
            {
                ws.DHNext[l].AsSpan(0, batch * h).Clear();
                ws.DCNext[l].AsSpan(0, batch * h).Clear();
            }
        }

        // Layer 0's input gradient at step t + 1 waits for the start of step t: member 0 takes its first columns,
        // which hold dL/dr_t, and goes straight on to step t's output layer and heads, while the other members take
        // the rest (the part carried to h_t). With one member the numbers and their order are the same.
        int align = ColumnInputGradient.Alignment<T>(), uw0 = ws.UWidth(0);
        (int c0Lead, int c1Lead) = LeadColumns(uw0, parts, member, align);
        for (int t = steps - 1; t >= 0; t--)
        {
            if (t + 1 < steps) _controller.InputGradient(prm, ws, 0, t + 1, batch, c0Lead, c1Lead);
            if (lead) HeadsAndOutputBackward(prm, ws, t, batch, lossScale, clip);
            team?.Barrier(member);
            for (int l = _layers - 1; l >= 0; l--)
            {
                if (lead) _controller.BackwardCell(ws, l, t, batch, clip);
                team?.Barrier(member);
                if (l == 0) break;
                (int c0, int c1) = WorkerTeam.Split(ws.UWidth(l), parts, member, align);
                _controller.InputGradient(prm, ws, l, t, batch, c0, c1);
                team?.Barrier(member);
            }
        }
        (int c0First, int c1First) = WorkerTeam.Split(uw0, parts, member, align);
        _controller.InputGradient(prm, ws, 0, 0, batch, c0First, c1First);   // dL/dr_{-1}, for init.read
        team?.Barrier(member);

        // Weight gradients of every step at once: dW += dY^T X over (steps x batch) rows, each member its rows.
        int rowsAll = steps * batch;
        WeightGradient(grad, _outW, _outB, o, outInW, ws.OutIn, ws.DLogits, rowsAll, member, parts);
        if (_heads > 0) WeightGradient(grad, _headsW!, _headsB!, _p, h, ws.Hid[_layers - 1], ws.DHeadRaw, rowsAll, member, parts);
        _controller.WeightGradients(grad, ws, rowsAll, member, parts);
        if (lead) InitialStateBackward(grad, ws, batch);
    }

    // The columns of layer 0's input gradient that member `member` takes at the start of a backward step: member 0
    // those up to the end of the read vectors (rounded up to whole strips), the others an even share of the rest.
    private (int Start, int End) LeadColumns(int uw0, int parts, int member, int align)
    {
        if (parts == 1) return (0, uw0);
        int k = Math.Min(uw0, (_c.InputSize + _reads * _m + align - 1) / align * align);
        if (member == 0) return (0, k);
        (int a, int z) = WorkerTeam.Split(uw0 - k, parts - 1, member - 1, align);
        return (k + a, k + z);
    }

    // Step t's loss, output layer and heads, reversed: leaves dL/dh_t of the top controller layer in ws.DHIn[top].
    private void HeadsAndOutputBackward(ReadOnlySpan<T> prm, ShardWorkspace<T> ws, int t, int batch, T lossScale, T clip)
    {
        int nm = _n * _m, rm = _reads * _m, outInW = ws.OutInWidth, o = _c.OutputSize, h = _h;
        // Loss and output layer: z = W_o [h; r] + b_o.
        Span<T> dz = ws.DLogits.AsSpan(t * batch * o, batch * o);
        BitLoss.Backward<T>(dz, ws.Logits.AsSpan(t * batch * o, batch * o), ws.Target.AsSpan(t * batch * o, batch * o),
            ws.Mask.AsSpan(t * batch, batch), lossScale, o, batch);
        Span<T> dOutIn = ws.DOutIn.AsSpan(0, batch * outInW);
        dOutIn.Clear();
        Linear.InputGradient<T>(dOutIn, outInW, Slice(prm, _outW), o, outInW, dz, o, batch);

        Span<T> dHTop = ws.DHIn[_layers - 1].AsSpan(0, batch * h);
        for (int b = 0; b < batch; b++)
        {
            dOutIn.Slice(b * outInW, h).CopyTo(dHTop.Slice(b * h, h));
            // dL/dr_t = from the output layer + from step t + 1's controller input
            Span<T> dr = dOutIn.Slice(b * outInW + h, rm);
            TensorPrimitives.Add<T>(dr, ws.DRead.AsSpan(b * rm, rm), dr);
        }

        if (_heads > 0)
        {
            Span<T> dAct = ws.DHeadAct.AsSpan(0, batch * _p);
            dAct.Clear();
            for (int b = 0; b < batch; b++) _headsStep.Backward(ws, t, b, batch);
            if (clip > T.Zero)
            {
                TensorPrimitives.Clamp<T>(dAct, -clip, clip, dAct);
                Span<T> dm = ws.DMemCur.AsSpan(0, batch * nm), dwp = ws.DWPrev.AsSpan(0, batch * _heads * _n);
                TensorPrimitives.Clamp<T>(dm, -clip, clip, dm);
                TensorPrimitives.Clamp<T>(dwp, -clip, clip, dwp);
            }
            // dAct now holds dL/d(raw head outputs).
            dAct.CopyTo(ws.DHeadRaw.AsSpan(t * batch * _p, batch * _p));
            Linear.InputGradient<T>(dHTop, h, Slice(prm, _headsW!), _p, h, dAct, _p, batch);
        }
    }

    // Rows [r0, r1) of dW += dY^T X and of dBias for part `part` of `parts`, in whole blocks of RowAlignment rows.
    private static void WeightGradient(Span<T> grad, ParameterTensor w, ParameterTensor bias, int rows, int cols,
        ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int count, int part, int parts)
    {
        (int r0, int r1) = WorkerTeam.Split(rows, parts, part, WorkerTeam.RowAlignment);
        if (r1 <= r0) return;
        Linear.WeightGradient<T>(grad.Slice(w.Offset + r0 * cols, (r1 - r0) * cols), grad.Slice(bias.Offset + r0, r1 - r0),
            r1 - r0, cols, x, cols, dy.Slice(r0), rows, count);
    }

    // Initial state: r_{-1} = init.read, w_{-1} = softmax(init.weighting), M_{-1} = init.memory.
    private void InitialStateBackward(Span<T> grad, ShardWorkspace<T> ws, int batch)
    {
        int nm = _n * _m, rm = _reads * _m;
        if (_reads > 0)
        {
            Span<T> g = Slice(grad, _initRead!);
            for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(g, ws.DRead.AsSpan(b * rm, rm), g);
        }
        if (_heads == 0) return;
        Span<T> gw = Slice(grad, _initW!);
        Span<T> tmp = ws.ScratchA.AsSpan(0, _n), sum = ws.ScratchB.AsSpan(0, _n);
        for (int hd = 0; hd < _heads; hd++)
        {
            sum.Clear();
            for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(sum, ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n), sum);
            Activations.SoftmaxBackward<T>(tmp, ws.InitW.AsSpan(hd * _n, _n), sum);
            Span<T> gh = gw.Slice(hd * _n, _n);
            TensorPrimitives.Add<T>(gh, tmp, gh);
        }
        if (_initMem is { Trainable: true })
        {
            Span<T> gm = Slice(grad, _initMem);
            for (int b = 0; b < batch; b++) TensorPrimitives.Add<T>(gm, ws.DMemCur.AsSpan(b * nm, nm), gm);
        }
    }

    /// <summary>
    /// Runs the engine's passes over one sequence on a <see cref="WorkerTeam"/>, every member on its part
    /// (<see cref="ForwardPart"/>, <see cref="BackwardPart"/>). It holds a pass's arguments while the team runs
    /// it and two cached delegates, so a pass allocates nothing. A shard of several sequences runs on the caller alone.
    /// The numbers are the same as the engine's own <see cref="Forward"/> and <see cref="Backward"/>: each member
    /// computes whole outputs, each in the order one thread would.
    /// </summary>
    public sealed class OnTeam
    {
        private readonly MachineEngine<T> _engine;
        private readonly Action<int> _forward, _backward;
        private T[] _prm = [], _grad = [];
        private ShardWorkspace<T>? _ws;
        private int _steps, _batch;
        private T _lossScale, _carryClip;

        /// <summary>The team the passes run on.</summary>
        public WorkerTeam Team { get; }

        public OnTeam(MachineEngine<T> engine, WorkerTeam team)
        {
            _engine = engine;
            Team = team;
            _forward = m => _engine.ForwardPart(_prm, _ws!, _steps, _batch, m, Team);
            _backward = m => _engine.BackwardPart(_prm, _grad, _ws!, _steps, _batch, _lossScale, _carryClip, m, Team);
        }

        /// <summary>As <see cref="MachineEngine{T}.Forward"/>, shared by the team when the shard is one sequence.</summary>
        public void Forward(T[] prm, ShardWorkspace<T> ws, int steps, int batch)
        {
            if (batch != 1 || Team.Size == 1)
            {
                _engine.Forward(prm, ws, steps, batch);
                return;
            }
            (_prm, _ws, _steps, _batch) = (prm, ws, steps, batch);
            try { Team.Run(_forward); }
            finally { _ws = null; }
        }

        /// <summary>As <see cref="MachineEngine{T}.Backward"/>, shared by the team when the shard is one sequence.</summary>
        public void Backward(T[] prm, T[] grad, ShardWorkspace<T> ws, int steps, int batch, T lossScale, T carryClip = default)
        {
            if (batch != 1 || Team.Size == 1)
            {
                _engine.Backward(prm, grad, ws, steps, batch, lossScale, carryClip);
                return;
            }
            (_prm, _grad, _ws, _steps, _batch, _lossScale, _carryClip) = (prm, grad, ws, steps, batch, lossScale, carryClip);
            try { Team.Run(_backward); }
            finally { _ws = null; }
        }
    }
}
