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
    /// Repeat copy (paper sec. 4.2) for counts 1 to <paramref name="maxRepeats"/>: store the inputs as
    /// copy does; at the delimiter hold the count in the state; then, per pass, jump the read head to the first row written and move it one row on per
    /// step, emitting what it reads, until it reads the last row of data (read as <c>data|end</c>: the next
    /// row holds none); after the last pass emit the end marker (the last output channel). The count is
    /// held in the state: one pair of pass states per remaining count.
    /// </summary>
    public static TapeProgram RepeatCopy(int bits, int maxRepeats)
    {
        if (maxRepeats < 1) throw new InvalidConfigurationException($"A repeat-copy program needs a largest count of at least 1, got {maxRepeats}.");
        var end = new bool[bits + 1];
        end[bits] = true;
        var states = new List<ProgramState>
        {
            new("start", null),
            new("first", new StepAction([Move.Stay, Move.Stay], [Write.Input], Emit.Nothing)),
            new("store", new StepAction([Move.Shift(1), Move.Stay], [Write.Input], Emit.Nothing)),
            new("end", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Constant(end))),
        };
        var transitions = new List<Transition> { new(0, "data", "*", 1), new(1, "data", "*", 2), new(2, "data", "*", 2) };
        var pass = new int[maxRepeats + 1];
        var along = new int[maxRepeats + 1];
        var wait = new int[maxRepeats + 1];
        for (int k = 1; k <= maxRepeats; k++)
        {
            wait[k] = states.Count;
            states.Add(new($"count {k}", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Nothing)));
            pass[k] = states.Count;
            states.Add(new($"pass {k}", new StepAction([Move.Stay, Move.Jump(JumpTarget.FirstWritten)], [Write.Nothing], Emit.Read(0))));
            along[k] = states.Count;
            states.Add(new($"along {k}", new StepAction([Move.Stay, Move.Shift(1)], [Write.Nothing], Emit.Read(0))));
        }
        for (int k = 1; k <= maxRepeats; k++)
        {
            transitions.Add(new(1, $"repeat {k}", "*", wait[k]));
            transitions.Add(new(2, $"repeat {k}", "*", wait[k]));
            transitions.Add(new(wait[k], "blank", "*", pass[k]));
            foreach (int from in new[] { pass[k], along[k] })
            {
                transitions.Add(new(from, "blank", "data", along[k]));
                transitions.Add(new(from, "blank", "data|end", k > 1 ? pass[k - 1] : 3));
            }
        }
        return new TapeProgram(1, 1, bits, bits + 1, [0, 0], states, transitions, readsTape: true);
    }
}
