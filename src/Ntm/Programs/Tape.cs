namespace Ntm.Programs;

/// <summary>
/// The memory of a <see cref="TapeProgram"/>: a circular tape of rows, each blank, holding data bits or
/// holding a marker, possibly tagged with a marker on top of its data, and remembering when it was last
/// written (a tag does not count as a write). Content jumps are resolved here,
/// symbolically, from what the rows hold and when they were written.
/// </summary>
internal sealed class Tape
{
    private readonly WriteKind[] _kind;    // (rows)
    private readonly bool[][] _data;       // (rows, bits)
    private readonly int[] _marker;        // (rows)
    private readonly long[] _writtenAt;    // (rows) step of the last write, -1 if never
    private readonly List<int> _order = [];  // rows in the order their data was written
    private readonly int[] _orderIndex;      // (rows) the row's place in _order of its latest data write, -1 if none

    public Tape(int rows, int bits)
    {
        if (rows < 1) throw new InvalidConfigurationException($"A tape needs at least one row, got {rows}.");
        Rows = rows;
        _kind = new WriteKind[rows];
        _data = new bool[rows][];
        for (int i = 0; i < rows; i++) _data[i] = new bool[bits];
        _marker = new int[rows];
        _writtenAt = new long[rows];
        Array.Fill(_writtenAt, -1);
        _orderIndex = new int[rows];
        Array.Fill(_orderIndex, -1);
    }

    public int Rows { get; }

    public int Wrap(long row) => (int)(((row % Rows) + Rows) % Rows);

    /// <summary>Stores a write at a row: <paramref name="input"/> for an input write, <paramref name="read"/> (null: blank) for a write of what was read.</summary>
    public void Store(int row, Write write, ReadOnlySpan<bool> input, bool[]? read, long step)
    {
        if (write.Kind == WriteKind.Nothing) return;
        if (write.Kind == WriteKind.Tag)
        {
            if (_kind[row] == WriteKind.Nothing) _kind[row] = WriteKind.Marker;
            _marker[row] = write.Index;
            return;
        }
        _writtenAt[row] = step;
        _marker[row] = write.Kind == WriteKind.Marker ? write.Index : 0;
        if (write.Kind == WriteKind.Input || (write.Kind == WriteKind.Read && read is not null))
        {
            _kind[row] = WriteKind.Input;
            (write.Kind == WriteKind.Input ? input : read).CopyTo(_data[row]);
            _orderIndex[row] = _order.Count;
            _order.Add(row);
            return;
        }
        _orderIndex[row] = -1;
        _kind[row] = write.Kind == WriteKind.Read ? WriteKind.Nothing : WriteKind.Marker;
        Array.Clear(_data[row]);
    }

    /// <summary>A copy of the data at a row, or null when the row holds none.</summary>
    public bool[]? Snapshot(int row) => _kind[row] == WriteKind.Input ? (bool[])_data[row].Clone() : null;

    /// <summary>The data at a row; all false unless the row holds input data.</summary>
    public ReadOnlySpan<bool> Data(int row) => _data[row];

    public bool HoldsData(int row) => _kind[row] == WriteKind.Input;

    /// <summary>A head's direction of travel: the sign of its last shift; before it has shifted, write head 0's; else +1.</summary>
    public static int Travel(int[] direction, int head) => direction[head] != 0 ? direction[head] : direction[0] != 0 ? direction[0] : 1;

    /// <summary>
    /// What a read head sees at a row, as a transition reads it: <c>blank</c>, <c>marker k</c>, or <c>data</c>
    /// (<c>data+tag k</c> when tagged), with <c>|end</c> appended when the next row in the head's direction of
    /// travel (<paramref name="direction"/>: +1 or -1) holds no data; a soft read focused on a row also sees a
    /// little of its neighbours.
    /// </summary>
    public string Category(int row, int direction) => _kind[row] switch
    {
        WriteKind.Input => (_marker[row] == 0 ? "data" : $"data+tag {_marker[row]}") + (_kind[Wrap((long)row + direction)] == WriteKind.Input ? "" : "|end"),
        WriteKind.Marker => $"marker {_marker[row]}",
        _ => "blank",
    };

    /// <summary>The row holding the latest data written (the end of the data), or null when no row holds data.</summary>
    public int? LastData()
    {
        for (int i = _order.Count - 1; i >= 0; i--)
            if (_orderIndex[_order[i]] == i) return _order[i];
        return null;
    }

    /// <summary>The row a jump lands on, or null when there is none (nothing written, no match).</summary>
    /// <param name="target">The jump's target.</param>
    /// <param name="start">The head's starting row.</param>
    /// <param name="writeHead">Write head 0's row.</param>
    /// <param name="inputs">The latest run of data inputs (for <see cref="JumpTarget.MatchInput"/> and <see cref="JumpTarget.MatchLast"/>).</param>
    public int? Resolve(JumpTarget target, int start, int writeHead, RecentInputs inputs)
    {
        List<bool[]> recent = inputs.Run;
        switch (target)
        {
            case JumpTarget.Start: return start;
            case JumpTarget.WriteHead: return writeHead;
            case JumpTarget.FirstWritten:
            case JumpTarget.LastWritten:
            {
                int best = -1;
                for (int i = 0; i < Rows; i++)
                {
                    if (_writtenAt[i] < 0) continue;
                    if (best < 0 || (target == JumpTarget.FirstWritten ? _writtenAt[i] < _writtenAt[best] : _writtenAt[i] > _writtenAt[best])) best = i;
                }
                return best < 0 ? null : best;
            }
            case JumpTarget.MatchLast:
            {
                if (recent.Count == 0) return null;
                int best = -1;
                for (int i = 0; i < Rows; i++)
                    if (_kind[i] == WriteKind.Input && (best < 0 || _writtenAt[i] < _writtenAt[best]) && recent[^1].AsSpan().SequenceEqual(_data[i])) best = i;
                return best < 0 ? null : best;
            }
            default:
            {
                // Among the rows written before the run began, the row holding the last data input whose
                // predecessors in the order of writing hold the inputs before it: the longest such match
                // wins, then the earliest written.
                if (recent.Count == 0) return null;
                int best = -1, bestRun = 0;
                for (int i = 0; i < Rows; i++)
                {
                    if (_kind[i] != WriteKind.Input || _writtenAt[i] >= inputs.Start || !recent[^1].AsSpan().SequenceEqual(_data[i])) continue;
                    int run = 1;
                    for (int j = _orderIndex[i] - 1, k = recent.Count - 2; j >= 0 && k >= 0; j--, k--)
                    {
                        int r = _order[j];
                        if (_orderIndex[r] != j || !recent[k].AsSpan().SequenceEqual(_data[r])) break;
                        run++;
                    }
                    if (run > bestRun || (run == bestRun && _writtenAt[i] < _writtenAt[best])) (best, bestRun) = (i, run);
                }
                return best < 0 ? null : best;
            }
        }
    }
}
