namespace Ntm.Programs;

/// <summary>Where a content jump lands, resolved symbolically on the tape (no key, no similarity).</summary>
public enum JumpTarget
{
    /// <summary>The head's own starting row.</summary>
    Start,
    /// <summary>The row whose last write is the oldest of all written rows (the first row of what was stored).</summary>
    FirstWritten,
    /// <summary>The row written most recently.</summary>
    LastWritten,
    /// <summary>The row the first write head is on (a read head following the writer).</summary>
    WriteHead,
    /// <summary>
    /// Among the rows written before the latest run of data steps began, the row holding the latest data input
    /// (this step's, or the last step's whose symbol is <c>data</c>) whose predecessors in the order of writing
    /// hold the data inputs before it in that run: the longest such match wins, then the earliest written
    /// (content addressing by a whole item).
    /// </summary>
    MatchInput,
    /// <summary>The earliest-written row holding the latest data input (content addressing by one vector).</summary>
    MatchLast,
}

/// <summary>How a head moves at one step: a shift by <see cref="Offset"/> rows (0 is stay), or a jump to <see cref="Target"/> followed by a shift of <see cref="Offset"/> rows.</summary>
/// <param name="IsJump">Whether the move is a jump.</param>
/// <param name="Offset">The shift, in rows (positive: towards higher rows); for a jump, the shift after it (usually 0).</param>
/// <param name="Target">The jump's target; ignored for a shift.</param>
public readonly record struct Move(bool IsJump, int Offset, JumpTarget Target)
{
    /// <summary>Stay on the same row.</summary>
    public static Move Stay => new(false, 0, default);
    /// <summary>Shift by <paramref name="rows"/> rows.</summary>
    public static Move Shift(int rows) => new(false, rows, default);
    /// <summary>Jump to <paramref name="target"/>.</summary>
    public static Move Jump(JumpTarget target, int then = 0) => new(true, then, target);

    /// <summary>In words: <c>stay</c>, <c>shift +1</c>, <c>jump first-written</c>, <c>jump first-written -1</c>.</summary>
    public override string ToString() => IsJump ? $"jump {Spell(Target)}{(Offset == 0 ? "" : $" {Offset:+0;-0}")}" : Offset == 0 ? "stay" : $"shift {Offset:+0;-0}";

    internal static string Spell(JumpTarget t) => t switch
    {
        JumpTarget.Start => "start",
        JumpTarget.FirstWritten => "first-written",
        JumpTarget.LastWritten => "last-written",
        JumpTarget.WriteHead => "write-head",
        JumpTarget.MatchInput => "match-input",
        _ => "match-last",
    };
}

/// <summary>What a write head stores at its row: nothing, this step's input data, what a read head read at the previous step, or a constant marker.</summary>
public enum WriteKind
{
    /// <summary>The row is left as it is.</summary>
    Nothing,
    /// <summary>The row becomes this step's input data bits.</summary>
    Input,
    /// <summary>The row becomes a constant marker (its number is in <see cref="Write.Index"/>).</summary>
    Marker,
    /// <summary>The row becomes the data read at the previous step by the read head <see cref="Write.Index"/> (data if that row held data, blank otherwise).</summary>
    Read,
    /// <summary>The row keeps what it holds and is tagged with marker <see cref="Write.Index"/> (a write that adds without erasing).</summary>
    Tag,
}

/// <summary>One write head's write at one step.</summary>
/// <param name="Kind">What is written.</param>
/// <param name="Index">The marker's number for <see cref="WriteKind.Marker"/>, the read head for <see cref="WriteKind.Read"/>, otherwise 0.</param>
public readonly record struct Write(WriteKind Kind, int Index)
{
    /// <summary>Write nothing.</summary>
    public static Write Nothing => new(WriteKind.Nothing, 0);
    /// <summary>Write the input data.</summary>
    public static Write Input => new(WriteKind.Input, 0);

    /// <summary>In words: <c>nothing</c>, <c>input</c>, <c>marker 2</c>, <c>read 0</c>, <c>tag 1</c>.</summary>
    public override string ToString() => Kind switch { WriteKind.Input => "input", WriteKind.Marker => $"marker {Index}", WriteKind.Read => $"read {Index}", WriteKind.Tag => $"tag {Index}", _ => "nothing" };
}

/// <summary>What kind of output a step emits.</summary>
public enum EmitKind
{
    /// <summary>All output channels 0.</summary>
    Nothing,
    /// <summary>The data stored at a read head's row on the data channels, 0 elsewhere (0 everywhere if the row holds no data).</summary>
    Read,
    /// <summary>A constant bit pattern.</summary>
    Constant,
    /// <summary>What the read head read at the previous step (the read vector the controller has just been given), as <see cref="Read"/>.</summary>
    ReadBefore,
    /// <summary>The data on the row a jump target names (<see cref="Emit.Target"/>), as <see cref="Read"/>: data the machine recalls without its read head on it.</summary>
    Row,
}

/// <summary>The output of one step.</summary>
/// <param name="Kind">What is emitted.</param>
/// <param name="Head">The read head for <see cref="EmitKind.Read"/>, otherwise 0.</param>
/// <param name="Pattern">The bits of <see cref="EmitKind.Constant"/> as a string of 0 and 1, one per output channel; otherwise empty.</param>
/// <param name="Target">The row of <see cref="EmitKind.Row"/>; otherwise unused.</param>
public readonly record struct Emit(EmitKind Kind, int Head, string Pattern, JumpTarget Target = default)
{
    /// <summary>Emit the data on the row <paramref name="target"/> names.</summary>
    public static Emit Row(JumpTarget target) => new(EmitKind.Row, 0, "", target);
    /// <summary>Emit zeros.</summary>
    public static Emit Nothing => new(EmitKind.Nothing, 0, "");
    /// <summary>Emit the data read by read head <paramref name="head"/>.</summary>
    public static Emit Read(int head = 0) => new(EmitKind.Read, head, "");
    /// <summary>Emit the data read by read head <paramref name="head"/> at the previous step.</summary>
    public static Emit ReadBefore(int head = 0) => new(EmitKind.ReadBefore, head, "");
    /// <summary>Emit the constant <paramref name="bits"/>.</summary>
    public static Emit Constant(ReadOnlySpan<bool> bits)
    {
        var c = new char[bits.Length];
        for (int i = 0; i < c.Length; i++) c[i] = bits[i] ? '1' : '0';
        return new(EmitKind.Constant, 0, new string(c));
    }

    /// <summary>In words: <c>nothing</c>, <c>read 0</c>, <c>read-before 0</c>, <c>row first-written</c>, <c>constant 000000001</c>.</summary>
    public override string ToString() => Kind switch
    {
        EmitKind.Read => $"read {Head}",
        EmitKind.ReadBefore => $"read-before {Head}",
        EmitKind.Row => $"row {Move.Spell(Target)}",
        EmitKind.Constant => $"constant {Pattern}",
        _ => "nothing",
    };
}

/// <summary>
/// Everything one state does at a step: each head's move (write heads first, then read heads), each
/// write head's write, and the output. The heads move in that order; the writes happen after the write
/// heads have moved and before the read heads move, as in the machine (paper sec. 3).
/// </summary>
/// <param name="Moves">Per head, write heads first.</param>
/// <param name="Writes">Per write head.</param>
/// <param name="Output">The step's output.</param>
public sealed record StepAction(IReadOnlyList<Move> Moves, IReadOnlyList<Write> Writes, Emit Output)
{
    /// <summary>A key equal for equal actions: <c>w0 shift +1, input | r0 stay | emit nothing</c>.</summary>
    public string Key => string.Join(" | ", Moves.Select((m, h) => h < Writes.Count ? $"w{h} {m}, {Writes[h]}" : $"r{h - Writes.Count} {m}")) + $" | emit {Output}";

    /// <inheritdoc />
    public override string ToString() => Key;

    /// <inheritdoc />
    public bool Equals(StepAction? other) => other is not null && Key == other.Key;

    /// <inheritdoc />
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}
