namespace Ntm.Programs;

/// <summary>
/// Programs written by hand in the <see cref="TapeProgram"/> form, the paper's copy and repeat-copy
/// algorithms: they need no network and serve as the executor's reference.
/// </summary>
public static class HandWritten
{
    /// <summary>
    /// Copy (paper sec. 4.1): write each input at the write head and move it one row on; at the
    /// delimiter put the read head one row before the first row written; then move it one row on and
    /// emit what it reads, for ever. One write head, one read head, both starting at row 0.
    /// </summary>
    public static TapeProgram Copy(int bits)
    {
        ProgramState[] states =
        [
            new("start", null),
            new("first", new StepAction([Move.Stay, Move.Stay], [Write.Input], Emit.Nothing)),
            new("store", new StepAction([Move.Shift(1), Move.Stay], [Write.Input], Emit.Nothing)),
            new("rewind", new StepAction([Move.Stay, Move.Jump(JumpTarget.FirstWritten, -1)], [Write.Nothing], Emit.Nothing)),
            new("recall", new StepAction([Move.Stay, Move.Shift(1)], [Write.Nothing], Emit.Read(0))),
        ];
        Transition[] transitions =
        [
            new(0, "data", "", 1), new(1, "data", "", 2), new(2, "data", "", 2),
            new(1, "delimiter", "", 3), new(2, "delimiter", "", 3),
            new(3, "blank", "", 4), new(4, "blank", "", 4),
        ];
        return new TapeProgram(1, 1, bits, bits, [0, 0], states, transitions, readsTape: false);
    }

    /// <summary>
    /// Repeat copy (paper sec. 4.2) for any count: store the inputs as copy does; the delimiter's count
    /// (<c>repeat R</c>) loads the counter n and parks the read head on the blank row before the data; then, per pass, jump the read head to the first row written and
    /// move it one row on per step, emitting what it reads, until it reads the last row of data (read as
    /// <c>data|end</c>: the next row holds none), whose output takes one off n; start the next pass while n &gt; 0,
    /// and emit the end marker (the last output channel) when n = 0. Six states, whatever the count.
    /// </summary>
    public static TapeProgram RepeatCopy(int bits)
    {
        var end = new bool[bits + 1];
        end[bits] = true;
        ProgramState[] states =
        [
            new("start", null),
            new("first", new StepAction([Move.Stay, Move.Stay], [Write.Input], Emit.Nothing)),
            new("store", new StepAction([Move.Shift(1), Move.Stay], [Write.Input], Emit.Nothing)),
            new("count", new StepAction([Move.Stay, Move.Jump(JumpTarget.FirstWritten, -1)], [Write.Nothing], Emit.Nothing)),
            new("pass", new StepAction([Move.Stay, Move.Jump(JumpTarget.FirstWritten)], [Write.Nothing], Emit.Read(0))),
            new("along", new StepAction([Move.Stay, Move.Shift(1)], [Write.Nothing], Emit.Read(0))),
            new("end", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Constant(end))),
        ];
        const string any = TapeProgram.AnyRead;
        Transition[] transitions =
        [
            new(0, "data", any, 1), new(1, "data", any, 2), new(2, "data", any, 2),
            new(1, "repeat", any, 3), new(2, "repeat", any, 3), new(3, "blank", any, 4),
            new(4, "blank", "data;n>0", 5), new(5, "blank", "data;n>0", 5),
            new(4, "blank", "data|end;n>0", 4), new(5, "blank", "data|end;n>0", 4),
            new(4, "blank", "data|end;n=0", 6), new(5, "blank", "data|end;n=0", 6),
        ];
        return new TapeProgram(1, 1, bits, bits + 1, [0, 0], states, transitions, readsTape: true, counts: true);
    }
}
