using Ntm.Model;

namespace Ntm.Programs;

/// <summary>One step of one traced sequence, discretised: the input, the controller's output, and every head's consistent instructions.</summary>
internal sealed class StepRecord
{
    public required int Sequence;
    public required int Step;
    public required StepInput Input;
    public required float[] Hidden;          // (ControllerSize) h_t
    public required List<Move>?[] Moves;     // per head, write heads first: every move consistent with the observed peaks; null when the head has no focus (any move fits)
    public required List<Move>?[] FaintMoves; // per head: where Moves is null because the head has no focus, the moves that land on its faint peak (else null)
    public required Write[] Writes;          // per write head
    public required List<Emit>? Outputs;     // every emission consistent with the thresholded output; null on an unscored step
    public required List<Emit> EndOutputs;   // those of them that output the row holding the latest data written (the end of the data)
    public required string ReadBefore;       // what the read heads saw at the previous step
    public required string ActionKey;        // the preferred reading of this step's instructions, a state of the "actions" clustering
}

/// <summary>
/// Turns traces of a trained machine into <see cref="StepRecord"/>s (docs/programs.md, "Instruction
/// set"). A head's focus is the row of its largest weight. A move is every instruction that lands on the
/// observed focus from the previous one on a shadow tape of the machine's own rows: a shift by -S..S rows,
/// and each <see cref="JumpTarget"/> whose symbolic row is that focus. A write is <c>input</c> when a
/// linear decoder fitted on every data step decodes the add vector to the step's data bits, <c>read r</c>
/// when it decodes it to the data read head r read at the previous step,
/// <c>nothing</c> when its effect (largest weight times the largest add or erase entry) is below
/// <see cref="WriteEffectFloor"/>, and otherwise a marker named by the signs of the add vector's large
/// entries that at least <see cref="MarkerShare"/> of the effective writes share (marker 0: an erase with no add, or a
/// rare pattern), a tag when its weight times its mean erase entry is below <see cref="EraseFloor"/> (the row keeps its data). A head whose largest weight is below <see cref="FocusFloor"/>
/// has no focus: any move is consistent with that step (and, with <see cref="HoldUnfocused"/>, a read head
/// with no focus is taken to stay where it was). An output is compared on scored steps only, thresholded at
/// 0.5: <c>read h</c> when it equals the data on read head h's row, <c>read-before h</c> when it equals
/// the data read head h read at the previous step, <c>row T</c> when it equals the data on the row a jump
/// target T names, and the constant it is. A jump's shift after it is
/// one of -S..S.
/// </summary>
internal sealed class StepRecorder
{
    /// <summary>A head whose largest weight is below this has no focus at that step: any move is consistent with it.</summary>
    public const float FocusFloor = 0.5f;
    /// <summary>A write whose largest weight times its largest add or erase entry is below this changes nothing that matters.</summary>
    public const float WriteEffectFloor = 0.1f;
    /// <summary>A marker write whose largest weight times its mean erase entry is below this keeps the row's data: a tag.</summary>
    public const float EraseFloor = 0.5f;
    /// <summary>A marker is a pattern of at least this share of the writes that change something; a rarer pattern is noise (a tag of it is nothing, a write of it clears the row: marker 0).</summary>
    public const double MarkerShare = 0.01;
    /// <summary>An add-vector entry counts towards a marker's pattern when its magnitude is above this.</summary>
    public const float MarkerEntry = 0.5f;
    /// <summary>Ridge of the least-squares add-vector decoder, against a singular system.</summary>
    private const double Ridge = 1e-3;

    private readonly NtmConfig _config;
    private readonly int _bits;
    private readonly double[][,] _decoder;   // per write head (M + 1, bits)
    private readonly Dictionary<string, int> _markers = [];

    /// <summary>
    /// Per head, how many recorded steps each move is consistent with, or null. When set, a step's preferred
    /// move (its action key) is the one consistent with the most steps overall (ties to the simpler), and a
    /// head's direction of travel changes only at a step whose preferred move is a shift: where a jump and a
    /// shift land on the same row, the reading a program is likelier to use decides which way the head goes on.
    /// </summary>
    public Dictionary<Move, int>[]? Common { get; set; }

    /// <summary>
    /// Whether a read head with no focus is taken to stay where it was (what it reads, and where its next move
    /// starts from), as a program's head would; otherwise it is wherever its largest weight is.
    /// </summary>
    public bool HoldUnfocused { get; set; }

    /// <summary>Counts, per head, the steps of <paramref name="records"/> each move is consistent with (for <see cref="Common"/>).</summary>
    public static Dictionary<Move, int>[] CountMoves(IReadOnlyList<StepRecord> records, int heads)
    {
        var counts = new Dictionary<Move, int>[heads];
        for (int h = 0; h < heads; h++) counts[h] = [];
        foreach (StepRecord r in records)
            for (int h = 0; h < heads; h++)
                foreach (Move m in r.Moves[h] ?? []) counts[h][m] = counts[h].GetValueOrDefault(m) + 1;
        return counts;
    }

    private Move? Preferred(List<Move>? options, int h) =>
        options is null || options.Count == 0 ? null
        : Common is null ? options[0]
        : options.OrderByDescending(m => Common[h].GetValueOrDefault(m)).ThenBy(PreferenceKey, StringComparer.Ordinal).First();

    public StepRecorder(NtmConfig config, int bits, IReadOnlyList<(MachineTrace Trace, StepInput[] Inputs)> traces)
    {
        _config = config;
        _bits = bits;
        _decoder = new double[config.WriteHeads][,];
        for (int w = 0; w < config.WriteHeads; w++) _decoder[w] = FitDecoder(w, traces);
        // Marker patterns: those of at least MarkerShare of the writes that change something.
        var counts = new Dictionary<string, int>();
        int writes = 0;
        foreach (var (trace, inputs) in traces)
            for (int t = 0; t < inputs.Length; t++)
                for (int w = 0; w < config.WriteHeads; w++)
                    if (Pattern(trace, w, t) is { } p) { writes++; counts[p] = counts.GetValueOrDefault(p) + 1; }
        foreach (var (p, n) in counts.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal))
            if (n >= MarkerShare * writes) _markers[p] = _markers.Count + 1;
    }

    public static string PreferenceKey(Move m) => (m.IsJump ? $"9{(int)m.Target}" : "") + $"{Math.Abs(m.Offset)}{(m.Offset < 0 ? 1 : 0)}";

    // Least squares from [a_t; 1] (M + 1) to the data bits as +-1, over every step whose symbol is data.
    private double[,] FitDecoder(int w, IReadOnlyList<(MachineTrace Trace, StepInput[] Inputs)> traces)
    {
        int m = _config.MemoryWidth, d = m + 1;
        var xtx = new double[d, d];
        var xty = new double[d, _bits];
        var row = new double[d];
        foreach (var (trace, inputs) in traces)
            for (int t = 0; t < inputs.Length; t++)
            {
                if (inputs[t].Symbol != "data") continue;
                for (int j = 0; j < m; j++) row[j] = trace.AddVectors[w][t, j];
                row[m] = 1;
                for (int i = 0; i < d; i++)
                {
                    for (int k = 0; k < d; k++) xtx[i, k] += row[i] * row[k];
                    for (int k = 0; k < _bits; k++) xty[i, k] += row[i] * (inputs[t].Data[k] ? 1 : -1);
                }
            }
        for (int i = 0; i < d; i++) xtx[i, i] += Ridge;
        return Solve(xtx, xty);
    }

    // Gauss-Jordan with partial pivoting: A (d, d) X = B (d, k).
    private static double[,] Solve(double[,] a, double[,] b)
    {
        int d = a.GetLength(0), k = b.GetLength(1);
        for (int c = 0; c < d; c++)
        {
            int p = c;
            for (int r = c + 1; r < d; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[p, c])) p = r;
            for (int j = 0; j < d; j++) (a[c, j], a[p, j]) = (a[p, j], a[c, j]);
            for (int j = 0; j < k; j++) (b[c, j], b[p, j]) = (b[p, j], b[c, j]);
            double piv = a[c, c];
            if (Math.Abs(piv) < 1e-12) continue;
            for (int r = 0; r < d; r++)
            {
                if (r == c) continue;
                double f = a[r, c] / piv;
                if (f == 0) continue;
                for (int j = 0; j < d; j++) a[r, j] -= f * a[c, j];
                for (int j = 0; j < k; j++) b[r, j] -= f * b[c, j];
            }
        }
        for (int c = 0; c < d; c++)
        {
            double piv = Math.Abs(a[c, c]) < 1e-12 ? 0 : a[c, c];
            for (int j = 0; j < k; j++) b[c, j] = piv == 0 ? 0 : b[c, j] / piv;
        }
        return b;
    }

    private static int Peak(float[,] w, int t)
    {
        int best = 0, n = w.GetLength(1);
        for (int i = 1; i < n; i++) if (w[t, i] > w[t, best]) best = i;
        return best;
    }

    // The signs of the large add entries of a write that changes something, or null.
    private string? Pattern(MachineTrace trace, int w, int t)
    {
        int m = _config.MemoryWidth, peak = Peak(trace.WriteWeightings[w], t);
        float weight = trace.WriteWeightings[w][t, peak], add = 0, erase = 0;
        var pattern = new char[m];
        for (int j = 0; j < m; j++)
        {
            float a = trace.AddVectors[w][t, j];
            add = Math.Max(add, Math.Abs(a));
            erase = Math.Max(erase, trace.EraseVectors[w][t, j]);
            pattern[j] = a > MarkerEntry ? '+' : a < -MarkerEntry ? '-' : '0';
        }
        return weight * Math.Max(add, erase) < WriteEffectFloor ? null : new string(pattern);
    }

    private Write ClassifyWrite(MachineTrace trace, int w, int t, int peak, StepInput input, bool[]?[] readBefore)
    {
        int m = _config.MemoryWidth;
        float weight = trace.WriteWeightings[w][t, peak], add = 0, erase = 0, meanErase = 0;
        for (int j = 0; j < m; j++)
        {
            add = Math.Max(add, Math.Abs(trace.AddVectors[w][t, j]));
            erase = Math.Max(erase, trace.EraseVectors[w][t, j]);
            meanErase += trace.EraseVectors[w][t, j] / m;
        }
        if (weight * Math.Max(add, erase) < WriteEffectFloor) return Write.Nothing;
        var decoded = new bool[_bits];
        for (int k = 0; k < _bits; k++)
        {
            double s = _decoder[w][m, k];
            for (int j = 0; j < m; j++) s += trace.AddVectors[w][t, j] * _decoder[w][j, k];
            decoded[k] = s > 0;
        }
        if (input.Symbol == TapeExecutor.DataSymbol && decoded.AsSpan().SequenceEqual(input.Data)) return Write.Input;
        for (int r = 0; r < readBefore.Length; r++)
            if (readBefore[r] is { } seen && decoded.AsSpan().SequenceEqual(seen)) return new Write(WriteKind.Read, r);
        if (weight * add < WriteEffectFloor) return new Write(WriteKind.Marker, 0);
        var pattern = new char[m];
        for (int j = 0; j < m; j++)
        {
            float a = trace.AddVectors[w][t, j];
            pattern[j] = a > MarkerEntry ? '+' : a < -MarkerEntry ? '-' : '0';
        }
        string key = new(pattern);
        bool tag = weight * meanErase < EraseFloor;
        if (!_markers.TryGetValue(key, out int id)) return tag ? Write.Nothing : new Write(WriteKind.Marker, 0);
        return new Write(tag ? WriteKind.Tag : WriteKind.Marker, id);
    }

    /// <summary>
    /// The steps of one traced sequence. A marker write whose row no read head looks at before the row is
    /// written again or the sequence ends (a look at the last step counts only when that step emits what it
    /// read) has no effect on anything the machine does, and is recorded as
    /// <c>nothing</c> (a dead store): the shadow tape is built twice, the second time without them. A write
    /// head's moves after its last write that is not dead are idle: they are recorded as no focus (any move
    /// fits), and no jump or output may then name the row the first write head is on.
    /// </summary>
    public List<StepRecord> Record(int sequence, MachineTrace trace, StepInput[] inputs)
    {
        var first = Record(sequence, trace, inputs, dead: null, out var writes, out var peaks);
        var dead = new HashSet<(int, int)>();
        int w = _config.WriteHeads;
        for (int t = 0; t < inputs.Length; t++)
            for (int h = 0; h < w; h++)
            {
                if (writes[t][h].Kind is not (WriteKind.Marker or WriteKind.Tag)) continue;
                int row = peaks[t][h];
                bool live = false;
                for (int u = t; u < inputs.Length && !live; u++)
                {
                    if (u > t && Enumerable.Range(0, w).Any(g => peaks[u][g] == row && writes[u][g].Kind != WriteKind.Nothing)) break;
                    // A read at the last step is used only if that step emits it.
                    for (int r = w; r < _config.Heads && !live; r++)
                        live = peaks[u][r] == row && (u < inputs.Length - 1 || first[u].Outputs?.Contains(Emit.Read(r - w)) == true);
                }
                if (!live) dead.Add((t, h));
            }
        // A write head's moves after its last write that changes something place nothing: they are idle.
        var idleAfter = new int[w];
        for (int h = 0; h < w; h++)
        {
            idleAfter[h] = -1;
            for (int t = 0; t < inputs.Length; t++)
                if (writes[t][h].Kind != WriteKind.Nothing && !dead.Contains((t, h))) idleAfter[h] = t;
        }
        return dead.Count == 0 && idleAfter.All(t => t == inputs.Length - 1) ? first : Record(sequence, trace, inputs, dead, out _, out _, idleAfter);
    }

    private List<StepRecord> Record(int sequence, MachineTrace trace, StepInput[] inputs, HashSet<(int, int)>? dead, out Write[][] allWrites, out int[][] allPeaks, int[]? idleAfter = null)
    {
        var c = _config;
        allWrites = new Write[inputs.Length][];
        allPeaks = new int[inputs.Length][];
        int heads = c.Heads, n = c.MemoryRows, s = c.ShiftRange;
        var tape = new Tape(n, _bits);
        var prev = (int[])trace.InitialFocus.Clone();
        string readBefore = string.Join(",", Enumerable.Repeat("blank", c.ReadHeads));
        var seen = new bool[]?[c.ReadHeads];
        var recent = new RecentInputs();
        var direction = new int[heads];   // per head, the sign of its last shift; 0 before it has shifted
        var focusedBefore = new bool[heads];
        var records = new List<StepRecord>(inputs.Length);
        var peak = new int[heads];
        for (int t = 0; t < inputs.Length; t++)
        {
            StepInput x = inputs[t];
            recent.Remember(x, t);
            var moves = new List<Move>?[heads];
            var faint = new List<Move>?[heads];
            var writes = new Write[c.WriteHeads];
            for (int h = 0; h < heads; h++)
            {
                peak[h] = Peak(h < c.WriteHeads ? trace.WriteWeightings[h] : trace.ReadWeightings[h - c.WriteHeads], t);
                float focus = (h < c.WriteHeads ? trace.WriteWeightings[h] : trace.ReadWeightings[h - c.WriteHeads])[t, peak[h]];
                // A read head with no focus is held where it was: a program's head moves only by its instructions.
                if (HoldUnfocused && h >= c.WriteHeads && focus < FocusFloor) peak[h] = prev[h];
                var options = new List<Move>();
                for (int d = -s; d <= s; d++)
                    if (tape.Wrap(prev[h] + d) == peak[h]) options.Add(Move.Shift(d));
                // After the first write head's last write its row is not followed, so nothing may go where it is.
                bool writerIdle = idleAfter is not null && t > idleAfter[0];
                foreach (JumpTarget target in Enum.GetValues<JumpTarget>())
                {
                    if (target == JumpTarget.WriteHead && (h == 0 || writerIdle)) continue;
                    if (tape.Resolve(target, trace.InitialFocus[h], peak[0], recent) is not { } landed) continue;
                    for (int d = -s; d <= s; d++)
                        if (tape.Wrap(landed + d) == peak[h]) options.Add(Move.Jump(target, d));
                }
                options.Sort((a, b) => string.CompareOrdinal(PreferenceKey(a), PreferenceKey(b)));
                moves[h] = focus < FocusFloor || (h < c.WriteHeads && idleAfter is not null && t > idleAfter[h]) ? null : options;
                faint[h] = moves[h] is null && focus < FocusFloor && !HoldUnfocused ? options : null;
                if (h < c.WriteHeads)
                {
                    writes[h] = dead is not null && dead.Contains((t, h)) ? Write.Nothing : ClassifyWrite(trace, h, t, peak[h], x, seen);
                    tape.Store(peak[h], writes[h], x.Data, writes[h].Kind == WriteKind.Read ? seen[writes[h].Index] : null, t);
                }
            }
            List<Emit>? outputs = null;
            var endOutputs = new List<Emit>();
            int? end = tape.LastData();
            if (trace.Mask[t] > 0)
            {
                int o = c.OutputSize;
                var y = new bool[o];
                for (int j = 0; j < o; j++) y[j] = trace.Outputs[t, j] > 0.5f;
                outputs = [];
                for (int r = 0; r < c.ReadHeads; r++)
                {
                    ReadOnlySpan<bool> data = tape.Data(peak[c.WriteHeads + r]);
                    bool same = true;
                    for (int j = 0; j < o && same; j++) same = y[j] == (j < _bits && data[j]);
                    if (same) outputs.Add(Emit.Read(r));
                    if (same && peak[c.WriteHeads + r] == end) endOutputs.Add(Emit.Read(r));
                    bool[]? before = seen[r];
                    same = true;
                    for (int j = 0; j < o && same; j++) same = y[j] == (j < _bits && before is not null && before[j]);
                    if (same) outputs.Add(Emit.ReadBefore(r));
                    if (same && before is not null && prev[c.WriteHeads + r] == end) endOutputs.Add(Emit.ReadBefore(r));
                }
                if (c.ReadHeads > 0)
                    foreach (JumpTarget target in Enum.GetValues<JumpTarget>())
                    {
                        if (target == JumpTarget.WriteHead && idleAfter is not null && t > idleAfter[0]) continue;
                        if (tape.Resolve(target, trace.InitialFocus[c.WriteHeads], peak[0], recent) is not { } row || !tape.HoldsData(row)) continue;
                        ReadOnlySpan<bool> data = tape.Data(row);
                        bool same = true;
                        for (int j = 0; j < o && same; j++) same = y[j] == (j < _bits && data[j]);
                        if (same) outputs.Add(Emit.Row(target));
                        if (same && row == end) endOutputs.Add(Emit.Row(target));
                    }
                outputs.Add(y.Any(b => b) ? Emit.Constant(y) : Emit.Nothing);
            }
            string key = string.Join(" | ", moves.Select((m, h) => m is null ? "any" : m.Count == 0 ? "lost" : Preferred(m, h)!.ToString()))
                + " | " + string.Join(" | ", writes) + " | " + (outputs is null ? "-" : outputs[0].ToString());
            records.Add(new StepRecord
            {
                Sequence = sequence, Step = t, Input = x,
                Hidden = Enumerable.Range(0, c.ControllerSize).Select(k => trace.Hidden[t, k]).ToArray(),
                Moves = moves, FaintMoves = faint, Writes = writes, Outputs = outputs, EndOutputs = endOutputs, ReadBefore = readBefore, ActionKey = key,
            });
            for (int r = 0; r < c.ReadHeads; r++) seen[r] = tape.Snapshot(peak[c.WriteHeads + r]);
            for (int h = 0; h < heads; h++)
            {
                // A head's direction of travel comes from shifts between two focused steps only.
                int delta = tape.Wrap(peak[h] - prev[h]);
                if (delta > n / 2) delta -= n;
                if (Common is not null)
                {
                    if (Preferred(moves[h], h) is { IsJump: false, Offset: not 0 } shift) direction[h] = Math.Sign(shift.Offset);
                }
                else if (moves[h] is not null && focusedBefore[h] && delta != 0 && Math.Abs(delta) <= s) direction[h] = Math.Sign(delta);
                focusedBefore[h] = moves[h] is not null;
            }
            allWrites[t] = writes;
            allPeaks[t] = (int[])peak.Clone();
            readBefore = string.Join(",", Enumerable.Range(c.WriteHeads, c.ReadHeads).Select(h => tape.Category(peak[h], Tape.Travel(direction, h))));
            Array.Copy(peak, prev, heads);
        }
        return records;
    }
}
