using System.Numerics;
using System.Numerics.Tensors;
using Ntm.Addressing;
using Ntm.Memory;
using Ntm.Model;

namespace Ntm.Heads;

/// <summary>
/// Every head of one sequence at one time step (paper section 3): activate the raw head outputs;
/// write heads address M_{t-1} and erase then add to make M_t (eq. 3-4); read heads address M_t and
/// read r_t (eq. 2). Backward reverses it: reads, then the write, then the activations. Works on
/// the shard's records; the arithmetic is in HeadActivation, HeadAddressing, MemoryRead and MemoryWrite.
/// </summary>
internal sealed class HeadsStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _n, _m, _h, _p, _heads, _reads, _writes;
    private readonly HeadSlices _slices;

    public HeadsStep(NtmConfig config, ParameterLayout layout)
    {
        (_n, _m, _h) = (config.MemoryRows, config.MemoryWidth, config.ControllerSize);
        (_heads, _reads, _writes) = (config.Heads, config.ReadHeads, config.WriteHeads);
        _slices = new HeadSlices(config);
        _p = layout.HeadOutputSize;
    }

    // Sequence b at step t: reads ws.HeadRaw and M_{t-1}; writes the activations, weightings, M_t and r_t.
    public void Forward(ShardWorkspace<T> ws, int t, int b, int batch)
    {
        int nm = _n * _m, sb = t * batch + b;
        ReadOnlySpan<T> raw = ws.HeadRaw.AsSpan(sb * _p, _p);
        Span<T> act = ws.HeadAct.AsSpan(sb * _p, _p);
        for (int hd = 0; hd < _heads; hd++)
            HeadActivation.Forward<T>(raw.Slice(_slices.Offsets[hd]), act.Slice(_slices.Offsets[hd]), _slices.Layouts[hd]);

        int prev = ws.Slot(t) * batch + b, next = ws.Slot(t + 1) * batch + b, sw = prev;   // memory slot t holds M_{t-1}
        ReadOnlySpan<T> memPrev = ws.Mem.AsSpan(prev * nm, nm), normPrev = ws.MemNorm.AsSpan(prev * _n, _n);
        Span<T> mem = ws.Mem.AsSpan(next * nm, nm), norm = ws.MemNorm.AsSpan(next * _n, _n);
        for (int hd = 0; hd < _writes; hd++) Address(ws, t, b, batch, hd, memPrev, normPrev);
        if (_writes > 0)
        {
            PackWriteVectors(ws, sb, b);
            Span<T> e = ws.PackE.AsSpan(b * _writes * _m, _writes * _m), a = ws.PackA.AsSpan(b * _writes * _m, _writes * _m);
            MemoryWrite.Forward<T>(memPrev, mem, ws.W.AsSpan(sw * _heads * _n, _writes * _n), e, a, _writes, _n, _m);
            ContentAddressing.RowNorms<T>(mem, _m, norm);
        }
        else
        {
            memPrev.CopyTo(mem);
            normPrev.CopyTo(norm);
        }
        for (int r = 0; r < _reads; r++)
        {
            int hd = _writes + r;
            Address(ws, t, b, batch, hd, mem, norm);
            MemoryRead.Forward<T>(ws.W.AsSpan((sw * _heads + hd) * _n, _n), mem, ws.OutIn.AsSpan(sb * ws.OutInWidth + _h + r * _m, _m));
        }
        if (ws.RecordFocus)
            for (int hd = 0; hd < _heads; hd++)
                HeadFocus.Measure<T>(ws.W.AsSpan((sw * _heads + hd) * _n, _n), out ws.FocusRow[sb * _heads + hd],
                    out ws.FocusWeight[sb * _heads + hd], out ws.FocusEntropy[sb * _heads + hd]);
    }

    // Reverses Forward for sequence b at step t. Reads dL/dr_t from ws.DOutIn, dL/dM_t from ws.DMemCur (left
    // holding dL/dM_{t-1}) and dL/dw_t from ws.DWPrev (left holding dL/dw_{t-1}); writes dL/d(raw outputs) into ws.DHeadAct.
    public void Backward(ShardWorkspace<T> ws, int t, int b, int batch)
    {
        if (ws.Streaming) throw new InvalidOperationException("A streaming workspace keeps two time slots only; it cannot run backward.");
        int nm = _n * _m, sb = t * batch + b;
        Span<T> dAct = ws.DHeadAct.AsSpan(b * _p, _p);
        Span<T> dMem = ws.DMemCur.AsSpan(b * nm, nm);       // dL/dM_t
        Span<T> dMemPrev = ws.DMemPrev.AsSpan(b * nm, nm);  // becomes dL/dM_{t-1}
        ReadOnlySpan<T> mem = ws.Mem.AsSpan((sb + batch) * nm, nm), norm = ws.MemNorm.AsSpan((sb + batch) * _n, _n);
        ReadOnlySpan<T> memPrev = ws.Mem.AsSpan(sb * nm, nm), normPrev = ws.MemNorm.AsSpan(sb * _n, _n);
        ReadOnlySpan<T> dOutIn = ws.DOutIn.AsSpan(b * ws.OutInWidth, ws.OutInWidth);
        Span<T> dw = ws.ScratchE.AsSpan(0, _n);

        for (int r = 0; r < _reads; r++)
        {
            int hd = _writes + r;
            Span<T> carried = ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n);
            carried.CopyTo(dw);                                                  // dL/dw_t from step t + 1
            MemoryRead.Backward<T>(dw, dMem, dOutIn.Slice(_h + r * _m, _m), ws.W.AsSpan((sb * _heads + hd) * _n, _n), mem);
            AddressBackward(ws, t, b, batch, hd, dw, mem, norm, dMem, carried);
        }

        if (_writes > 0)
        {
            dMemPrev.Clear();
            Span<T> dpw = ws.DPackW.AsSpan(0, _writes * _n), dpe = ws.DPackE.AsSpan(0, _writes * _m), dpa = ws.DPackA.AsSpan(0, _writes * _m);
            dpw.Clear(); dpe.Clear(); dpa.Clear();
            PackWriteVectors(ws, sb, b);   // the packed rows hold the last forward step's vectors
            Span<T> e = ws.PackE.AsSpan(b * _writes * _m, _writes * _m), a = ws.PackA.AsSpan(b * _writes * _m, _writes * _m);
            MemoryWrite.Backward<T>(dMemPrev, dpw, dpe, dpa, dMem, memPrev, ws.W.AsSpan(sb * _heads * _n, _writes * _n), e, a, _writes, _n, _m);
            for (int hd = 0; hd < _writes; hd++)
            {
                HeadLayout hl = _slices.Layouts[hd];
                int off = _slices.Offsets[hd];
                TensorPrimitives.Add<T>(dAct.Slice(off + hl.Erase, _m), dpe.Slice(hd * _m, _m), dAct.Slice(off + hl.Erase, _m));
                TensorPrimitives.Add<T>(dAct.Slice(off + hl.Add, _m), dpa.Slice(hd * _m, _m), dAct.Slice(off + hl.Add, _m));
                Span<T> carried = ws.DWPrev.AsSpan((b * _heads + hd) * _n, _n);
                TensorPrimitives.Add<T>(dpw.Slice(hd * _n, _n), carried, dw);
                AddressBackward(ws, t, b, batch, hd, dw, memPrev, normPrev, dMemPrev, carried);
            }
            dMemPrev.CopyTo(dMem);   // carry dL/dM_{t-1} to step t - 1
        }

        ReadOnlySpan<T> raw = ws.HeadRaw.AsSpan(sb * _p, _p), act = ws.HeadAct.AsSpan(sb * _p, _p);
        for (int hd = 0; hd < _heads; hd++)
        {
            HeadLayout hl = _slices.Layouts[hd];
            int off = _slices.Offsets[hd];
            HeadActivation.Backward<T>(dAct.Slice(off, hl.Size), raw.Slice(off, hl.Size), act.Slice(off, hl.Size), hl);
        }
    }

    private void Address(ShardWorkspace<T> ws, int t, int b, int batch, int hd, ReadOnlySpan<T> memory, ReadOnlySpan<T> norms)
    {
        int sb = t * batch + b, at = ((ws.Slot(t) * batch + b) * _heads + hd) * _n;
        ws.KeyNorm[sb * _heads + hd] = HeadAddressing.Forward<T>(ws.HeadAct.AsSpan(sb * _p + _slices.Offsets[hd], _slices.Layouts[hd].Size),
            _slices.Layouts[hd], PreviousWeighting(ws, t, b, batch, hd), memory, norms,
            ws.Sim.AsSpan(at, _n), ws.Wc.AsSpan(at, _n), ws.Wg.AsSpan(at, _n), ws.Wt.AsSpan(at, _n), ws.W.AsSpan(at, _n));
        if (ws.Streaming) ws.Attention.Apply(ws.W.AsSpan(at, _n));   // hard-attention execution (evaluation only)
    }

    private void AddressBackward(ShardWorkspace<T> ws, int t, int b, int batch, int hd, ReadOnlySpan<T> dw,
        ReadOnlySpan<T> memory, ReadOnlySpan<T> norms, Span<T> dMemory, Span<T> dWPrevOut)
    {
        int sb = t * batch + b, at = (sb * _heads + hd) * _n;
        HeadLayout hl = _slices.Layouts[hd];
        HeadAddressing.Backward<T>(ws.DHeadAct.AsSpan(b * _p + _slices.Offsets[hd], hl.Size), dMemory, dWPrevOut, dw,
            ws.HeadAct.AsSpan(sb * _p + _slices.Offsets[hd], hl.Size), hl, PreviousWeighting(ws, t, b, batch, hd), memory, norms,
            ws.KeyNorm[sb * _heads + hd], ws.Sim.AsSpan(at, _n), ws.Wc.AsSpan(at, _n), ws.Wg.AsSpan(at, _n), ws.Wt.AsSpan(at, _n),
            ws.W.AsSpan(at, _n), ws.ScratchA.AsSpan(0, _n), ws.ScratchB.AsSpan(0, _n), ws.ScratchC.AsSpan(0, _n), ws.ScratchD.AsSpan(0, 2 * _n));
    }

    private ReadOnlySpan<T> PreviousWeighting(ShardWorkspace<T> ws, int t, int b, int batch, int hd)
        => t == 0 ? ws.InitW.AsSpan(hd * _n, _n) : ws.W.AsSpan(((ws.Slot(t - 1) * batch + b) * _heads + hd) * _n, _n);

    // Copies the write heads' erase and add vectors of step-row sb into sequence b's packed (W, M) rows that MemoryWrite reads.
    private void PackWriteVectors(ShardWorkspace<T> ws, int sb, int b)
    {
        Span<T> e = ws.PackE.AsSpan(b * _writes * _m, _writes * _m), a = ws.PackA.AsSpan(b * _writes * _m, _writes * _m);
        ReadOnlySpan<T> act = ws.HeadAct.AsSpan(sb * _p, _p);
        for (int hd = 0; hd < _writes; hd++)
        {
            act.Slice(_slices.Offsets[hd] + _slices.Layouts[hd].Erase, _m).CopyTo(e.Slice(hd * _m));
            act.Slice(_slices.Offsets[hd] + _slices.Layouts[hd].Add, _m).CopyTo(a.Slice(hd * _m));
        }
    }
}
