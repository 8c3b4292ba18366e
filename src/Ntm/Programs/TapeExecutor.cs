namespace Ntm.Programs;

/// <summary>What a <see cref="TapeExecutor"/> run produced.</summary>
/// <param name="Outputs">(Steps, OutputSize) output bits.</param>
/// <param name="States">(Steps) the state of each step; -1 after a halt.</param>
/// <param name="HaltedAt">The step at which no transition was defined, or null when the run finished.</param>
public sealed record ExecutionResult(bool[][] Outputs, int[] States, int? HaltedAt);

/// <summary>
/// Runs a <see cref="TapeProgram"/> deterministically: integer head positions on a circular tape of any
/// number of rows, one state transition per step, no weights and no soft attention. At each step the
/// state moves on (the step's input symbol and what the read heads saw at the previous step), then the
/// write heads move and write, then the read heads move, then the output is emitted. A jump with no
/// target (nothing written, nothing matching) leaves the head where it is before its shift. When no transition is defined
/// the run halts and every later output is 0. A counting program keeps its counter with <see cref="PassCounter"/>.
/// </summary>
public static class TapeExecutor
{
    /// <summary>Runs <paramref name="program"/> on <paramref name="inputs"/> with a tape of <paramref name="tapeRows"/> rows.</summary>
    /// <exception cref="InvalidConfigurationException">The tape has no row, or an input's data is not <see cref="TapeProgram.DataBits"/> wide.</exception>
    public static ExecutionResult Run(TapeProgram program, IReadOnlyList<StepInput> inputs, int tapeRows)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(inputs);
        var tape = new Tape(tapeRows, program.DataBits);
        int heads = program.WriteHeads + program.ReadHeads;
        var start = new int[heads];
        for (int h = 0; h < heads; h++) start[h] = tape.Wrap(program.InitialOffsets[h]);
        var pos = (int[])start.Clone();
        var outputs = new bool[inputs.Count][];
        var states = new int[inputs.Count];
        int state = 0;
        string read = string.Join(",", Enumerable.Repeat("blank", program.ReadHeads));
        int? halted = null;
        var recent = new RecentInputs();
        PassCounter? counter = program.Counts ? new PassCounter() : null;
        var direction = new int[heads];   // per head, the sign of its last shift; 0 before it has shifted
        var readBefore = new bool[]?[program.ReadHeads];
        var readRows = new int[program.ReadHeads];   // per read head, the row it read at the previous step
        bool emittedEnd = false;                     // whether the previous step output the row of the latest data
        for (int t = 0; t < inputs.Count; t++)
        {
            outputs[t] = new bool[program.OutputSize];
            StepInput x = inputs[t];
            if (x.Data.Length != program.DataBits)
                throw new InvalidConfigurationException($"Step {t} carries {x.Data.Length} data bits; the program takes {program.DataBits}.");
            (string symbol, string seen) = counter is null ? (x.Symbol, read) : counter.See(x.Symbol, read, emittedEnd);
            emittedEnd = false;
            int? next = halted is null ? program.Next(state, symbol, seen) : null;
            if (next is not { } s)
            {
                halted ??= t;
                states[t] = -1;
                continue;
            }
            state = s;
            states[t] = s;
            recent.Remember(x, t);
            StepAction a = program.States[s].Action!;
            for (int h = 0; h < heads; h++)
            {
                if (!a.Moves[h].IsJump && a.Moves[h].Offset != 0) direction[h] = Math.Sign(a.Moves[h].Offset);
                pos[h] = Apply(tape, a.Moves[h], pos[h], start[h], pos[0], recent);
                if (h < program.WriteHeads)
                    tape.Store(pos[h], a.Writes[h], x.Data, a.Writes[h].Kind == WriteKind.Read ? readBefore[a.Writes[h].Index] : null, t);
            }
            read = string.Join(",", Enumerable.Range(program.WriteHeads, program.ReadHeads).Select(h => tape.Category(pos[h], Tape.Travel(direction, h))));
            int? end = tape.LastData();
            switch (a.Output.Kind)
            {
                case EmitKind.Read:
                    tape.Data(pos[program.WriteHeads + a.Output.Head]).CopyTo(outputs[t]);
                    emittedEnd = pos[program.WriteHeads + a.Output.Head] == end;
                    break;
                case EmitKind.Row:
                    if (tape.Resolve(a.Output.Target, start[program.WriteHeads], pos[0], recent) is { } row)
                    {
                        tape.Data(row).CopyTo(outputs[t]);
                        emittedEnd = row == end;
                    }
                    break;
                case EmitKind.ReadBefore:
                    readBefore[a.Output.Head]?.CopyTo(outputs[t], 0);
                    emittedEnd = readBefore[a.Output.Head] is not null && readRows[a.Output.Head] == end;
                    break;
                case EmitKind.Constant:
                    for (int j = 0; j < program.OutputSize; j++) outputs[t][j] = a.Output.Pattern[j] == '1';
                    break;
            }
            for (int r = 0; r < program.ReadHeads; r++) (readBefore[r], readRows[r]) = (tape.Snapshot(pos[program.WriteHeads + r]), pos[program.WriteHeads + r]);
        }
        return new ExecutionResult(outputs, states, halted);
    }

    /// <summary>The input symbol of a step that carries data (what <see cref="JumpTarget.MatchInput"/> matches).</summary>
    public const string DataSymbol = "data";

    internal static int Apply(Tape tape, Move move, int at, int start, int writeHead, RecentInputs recent) =>
        tape.Wrap((long)(move.IsJump ? tape.Resolve(move.Target, start, writeHead, recent) ?? at : at) + move.Offset);

    /// <summary>The longest run of data inputs a content jump compares; longer runs keep their latest inputs.</summary>
    public const int RecentLimit = 16;

    // Keeps the latest run of consecutive data inputs: a data step after any other symbol starts a new run.
    internal static void Remember(List<bool[]> recent, StepInput x, ref bool previousData)
    {
        bool data = x.Symbol == DataSymbol;
        if (data)
        {
            if (!previousData) recent.Clear();
            if (recent.Count == RecentLimit) recent.RemoveAt(0);
            recent.Add((bool[])x.Data.Clone());
        }
        previousData = data;
    }
}
