using System.Numerics;

namespace Ntm.Model;

/// <summary>
/// Preallocated storage for one shard of a minibatch: everything the forward pass records per time
/// step for the backward pass, and the backward pass's running gradients. It grows only when a
/// longer or wider batch arrives, so steady-state training allocates nothing per step.
/// Layouts are (steps, batch, ...) unless stated otherwise.
/// <para>
/// A streaming workspace (<see cref="Streaming"/>) serves forward passes that need no backward pass
/// (evaluation, prediction, long test sequences): the memory-sized records (memory, row norms and
/// the weightings of every head) keep only two time slots, the current step's and the previous
/// one's, so a sequence of any length needs memory in proportion to N M, not to its length times N M.
/// The numbers are the same as a full workspace's. It can also record each head's focus per step
/// (<see cref="FocusRow"/>, <see cref="FocusWeight"/>, <see cref="FocusEntropy"/>).
/// </para>
/// </summary>
internal sealed class ShardWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly NtmConfig Config;
    public readonly ParameterLayout Layout;
    public int StepCapacity { get; private set; }
    public int BatchCapacity { get; private set; }

    // What the forward pass records.
    public T[] X = [];            // (steps, batch, I) inputs
    public T[] Target = [];       // (steps, batch, O)
    public T[] Mask = [];         // (steps, batch)
    public T[][] U = [];          // per layer (steps, batch, UWidth(l)): layer input [x; r_prev; h_prev]
    public T[][] Gates = [];      // per LSTM layer (steps, batch, 4H) activated gates i, f, g, o
    public T[][] C = [];          // per LSTM layer (steps, batch, H) cell state
    public T[][] TanhC = [];      // per LSTM layer (steps, batch, H)
    public T[][] Hid = [];        // per layer (steps, batch, H) hidden output
    public T[] HeadRaw = [];      // (steps, batch, P) head projection before activations
    public T[] HeadAct = [];      // (steps, batch, P) after activations
    public T[] Sim = [];          // (steps, batch, heads, N) cosine similarities
    public T[] Wc = [];           // (steps, batch, heads, N) content weightings
    public T[] Wg = [];           // (steps, batch, heads, N) interpolated
    public T[] Wt = [];           // (steps, batch, heads, N) shifted
    public T[] W = [];            // (steps, batch, heads, N) final weightings
    public T[] KeyNorm = [];      // (steps, batch, heads)
    public T[] Mem = [];          // (steps + 1, batch, N, M): slot 0 is the initial memory, slot t + 1 is M_t
    public T[] MemNorm = [];      // (steps + 1, batch, N)
    public T[] OutIn = [];        // (steps, batch, H + R M): [controller output; read vectors r_t]
    public T[] Logits = [];       // (steps, batch, O)
    public T[] InitW = [];        // (heads, N) softmax of init.weighting
    public T[] PackE = [];        // (batch, W, M) write heads' erase vectors packed for MemoryWrite
    public T[] PackA = [];        // (batch, W, M)

    // The backward pass's running state, per sequence of the shard.
    public T[] DMemCur = [];      // (batch, N, M) dL/dM_t
    public T[] DMemPrev = [];     // (batch, N, M) dL/dM_{t-1}
    public T[] DWPrev = [];       // (batch, heads, N) dL/dw_t from step t + 1's interpolation
    public T[] DRead = [];        // (batch, R M) dL/dr_t from step t + 1's controller input
    public T[][] DHNext = [];     // per LSTM layer (batch, H) dL/dh_t from step t + 1
    public T[][] DCNext = [];     // per LSTM layer (batch, H)
    public T[][] DHIn = [];       // per layer (batch, H) dL/dh_t from above at this step
    public T[] DLogits = [];      // (steps, batch, O) dL/d(output logits), kept for the weight gradient
    public T[] DOutIn = [];       // (batch, H + R M)
    public T[] DHeadAct = [];     // (batch, P)
    public T[] DHeadRaw = [];     // (steps, batch, P) dL/d(head projection), kept for the weight gradient
    public T[][] DGates = [];     // per layer (steps, batch, 4H or H) dL/d(pre-activations), kept for the weight gradient
    public T[] DU = [];           // (batch, max UWidth)
    public T[] DPackW = [];       // (W, N)
    public T[] DPackE = [];       // (W, M)
    public T[] DPackA = [];       // (W, M)
    public T[] ScratchA = [];     // (N) per-head scratch
    public T[] ScratchB = [];
    public T[] ScratchC = [];
    public T[] ScratchD = [];     // (2N): sharpening's backward needs two rows
    public T[] ScratchE = [];

    // Each head's focus per step, when RecordFocus is set (streaming workspaces only).
    public int[] FocusRow = [];     // (steps, batch, heads) the row of the largest weight
    public T[] FocusWeight = [];    // (steps, batch, heads) the largest weight
    public T[] FocusEntropy = [];   // (steps, batch, heads) -sum_i w(i) ln w(i), in nats

    /// <summary>Whether the memory-sized records keep two time slots only (no backward pass possible).</summary>
    public readonly bool Streaming;

    /// <summary>Whether a streaming forward pass records each head's focus per step.</summary>
    public bool RecordFocus;

    /// <summary>How a streaming forward pass uses the weightings: soft as trained, or made discrete.</summary>
    public HardAttention Attention = HardAttention.Soft;

    public ShardWorkspace(NtmConfig config, ParameterLayout layout, bool streaming = false)
    {
        Config = config;
        Layout = layout;
        Streaming = streaming;
    }

    /// <summary>
    /// The slot of time index t in the memory-sized records: t, or t mod 2 when streaming. Step t's
    /// weightings and similarities sit in slot t; memory slot t holds M_{t-1} (slot 0 the initial memory).
    /// </summary>
    public int Slot(int t) => Streaming ? t & 1 : t;

    public int UWidth(int layer) => Controllers.ControllerShape.InputWidth(Config, layer);
    public int GateWidth => Controllers.ControllerShape.GateWidth(Config);
    public int OutInWidth => Config.ControllerSize + Config.ReadHeads * Config.MemoryWidth;

    /// <summary>Makes room for <paramref name="steps"/> steps of <paramref name="batch"/> sequences.</summary>
    public void EnsureCapacity(int steps, int batch)
    {
        if (steps <= StepCapacity && batch <= BatchCapacity) return;
        steps = Math.Max(steps, StepCapacity);
        batch = Math.Max(batch, BatchCapacity);
        var c = Config;
        int n = c.MemoryRows, m = c.MemoryWidth, h = c.ControllerSize, heads = c.Heads, layers = c.ControllerLayers;
        int p = Layout.HeadOutputSize;
        long sb = (long)steps * batch;
        bool lstm = c.Controller == ControllerKind.Lstm;

        X = New(sb * c.InputSize);
        Target = New(sb * c.OutputSize);
        Mask = New(sb);
        U = new T[layers][];
        Hid = new T[layers][];
        Gates = new T[layers][];
        C = new T[layers][];
        TanhC = new T[layers][];
        DHNext = new T[layers][];
        DCNext = new T[layers][];
        DHIn = new T[layers][];
        DGates = new T[layers][];
        int maxU = 0;
        for (int l = 0; l < layers; l++)
        {
            U[l] = New(sb * UWidth(l));
            maxU = Math.Max(maxU, UWidth(l));
            Hid[l] = New(sb * h);
            Gates[l] = lstm ? New(sb * 4 * h) : [];
            C[l] = lstm ? New(sb * h) : [];
            TanhC[l] = lstm ? New(sb * h) : [];
            DHNext[l] = New((long)batch * h);
            DCNext[l] = New((long)batch * h);
            DHIn[l] = New((long)batch * h);
            DGates[l] = Streaming ? [] : New(sb * GateWidth);
        }
        HeadRaw = New(sb * p);
        HeadAct = New(sb * p);
        long slots = Streaming ? 2 : steps, memorySlots = Streaming ? 2 : steps + 1L;
        long hw = slots * batch * heads * n;
        Sim = New(hw); Wc = New(hw); Wg = New(hw); Wt = New(hw); W = New(hw);
        KeyNorm = New(sb * heads);
        bool memory = heads > 0;
        Mem = memory ? New(memorySlots * batch * n * m) : [];
        MemNorm = memory ? New(memorySlots * batch * n) : [];
        FocusRow = Streaming ? new int[sb * heads] : [];
        FocusWeight = Streaming ? New(sb * heads) : [];
        FocusEntropy = Streaming ? New(sb * heads) : [];
        OutIn = New(sb * OutInWidth);
        Logits = New(sb * c.OutputSize);
        InitW = New((long)heads * n);
        PackE = New((long)batch * c.WriteHeads * m);
        PackA = New((long)batch * c.WriteHeads * m);

        DMemCur = memory ? New((long)batch * n * m) : [];
        DMemPrev = memory ? New((long)batch * n * m) : [];
        DWPrev = New((long)batch * heads * n);
        DRead = New((long)batch * c.ReadHeads * m);
        DLogits = Streaming ? [] : New(sb * c.OutputSize);
        DOutIn = New((long)batch * OutInWidth);
        DHeadAct = New((long)batch * p);
        DHeadRaw = Streaming ? [] : New(sb * p);
        DU = New((long)batch * maxU);
        DPackW = New((long)c.WriteHeads * n);
        DPackE = New((long)c.WriteHeads * m);
        DPackA = New((long)c.WriteHeads * m);
        int scratch = Math.Max(n, 2 * c.ShiftRange + 1);
        ScratchA = New(scratch); ScratchB = New(scratch); ScratchC = New(scratch); ScratchD = New(2L * scratch); ScratchE = New(scratch);
        StepCapacity = steps;
        BatchCapacity = batch;
    }

    private static T[] New(long length)
    {
        if (length > Array.MaxLength)
            throw new InvalidConfigurationException(
                $"A batch this long needs an array of {length} values, over the {Array.MaxLength} allowed; use shorter sequences or fewer per shard.");
        return new T[length];
    }
}
