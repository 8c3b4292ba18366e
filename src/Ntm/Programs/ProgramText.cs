namespace Ntm.Programs;

/// <summary>A <see cref="TapeProgram"/> as readable pseudo-code and as a JSON-ready object.</summary>
public static class ProgramText
{
    private static string HeadName(TapeProgram p, int h) => h < p.WriteHeads ? (p.WriteHeads == 1 ? "w" : $"w{h}") : (p.ReadHeads == 1 ? "r" : $"r{h - p.WriteHeads}");

    /// <summary>One state's action in words: <c>w += 1; M[w] := input; r := first written row; emit M[r]</c>.</summary>
    public static string Describe(TapeProgram program, StepAction action)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(action);
        var parts = new List<string>();
        for (int h = 0; h < action.Moves.Count; h++)
        {
            string n = HeadName(program, h);
            Move m = action.Moves[h];
            if (m.IsJump)
            {
                string target = m.Target switch
                {
                    JumpTarget.Start => $"{n}'s start",
                    JumpTarget.FirstWritten => "the first row written",
                    JumpTarget.LastWritten => "the last row written",
                    JumpTarget.WriteHead => HeadName(program, 0),
                    JumpTarget.MatchInput => "the row holding the last data run",
                    _ => "the first row holding the last input",
                };
                parts.Add($"{n} := {target}{(m.Offset == 0 ? "" : $" {m.Offset:+ 0;- 0}")}");
            }
            else if (m.Offset != 0) parts.Add($"{n} {(m.Offset > 0 ? "+=" : "-=")} {Math.Abs(m.Offset)}");
            if (h < action.Writes.Count && action.Writes[h].Kind != WriteKind.Nothing)
                parts.Add($"M[{n}] := {action.Writes[h].Kind switch { WriteKind.Input => "input", WriteKind.Read => $"what {HeadName(program, program.WriteHeads + action.Writes[h].Index)} read", WriteKind.Tag => $"M[{n}] + tag {action.Writes[h].Index}", _ => $"marker {action.Writes[h].Index}" }}");
        }
        parts.Add(action.Output.Kind switch
        {
            EmitKind.Read => $"emit M[{HeadName(program, program.WriteHeads + action.Output.Head)}]",
            EmitKind.ReadBefore => $"emit what {HeadName(program, program.WriteHeads + action.Output.Head)} read",
            EmitKind.Row => $"emit M[{Move.Spell(action.Output.Target)}]",
            EmitKind.Constant => $"emit {action.Output.Pattern}",
            _ => "emit nothing",
        });
        return string.Join("; ", parts);
    }

    private static string Percent(int part, int whole) => whole == 0 ? "" : $" ({part} of {whole}, {100.0 * part / whole:F1}%)";

    /// <summary>The program as pseudo-code: the heads' starting rows, then each state's action and its transitions.</summary>
    public static string PseudoCode(TapeProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var sb = new System.Text.StringBuilder();
        if (program.Counts)
            sb.AppendLine("n: a counter, loaded by an input symbol that carries a number and decreased by one after each step that outputs the end of the data (the row of the latest data written)");
        sb.AppendLine($"heads: {string.Join(", ", Enumerable.Range(0, program.InitialOffsets.Count).Select(h => $"{HeadName(program, h)} starts at row {program.InitialOffsets[h]}"))}; every row starts blank");
        for (int s = 0; s < program.States.Count; s++)
        {
            ProgramState st = program.States[s];
            sb.AppendLine(st.Action is null ? $"state {st.Name}:" : $"state {st.Name}: {Describe(program, st.Action)}{Percent(st.Agreeing, st.Visits)}");
            foreach (Transition t in program.Transitions.Where(t => t.From == s))
                sb.AppendLine($"  on {t.Symbol}{(program.ReadsTape && t.Read != TapeProgram.AnyRead ? $" after reading {t.Read}" : "")} -> {program.States[t.To].Name}{Percent(t.Agreeing, t.Count)}");
        }
        return sb.ToString();
    }

    /// <summary>The program as an object for JSON: heads, states with their actions and counts, transitions with their counts.</summary>
    public static Dictionary<string, object?> ToJson(TapeProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        return new Dictionary<string, object?>
        {
            ["write_heads"] = program.WriteHeads, ["read_heads"] = program.ReadHeads, ["data_bits"] = program.DataBits,
            ["output_size"] = program.OutputSize, ["initial_offsets"] = program.InitialOffsets, ["reads_tape"] = program.ReadsTape, ["counts"] = program.Counts,
            ["states"] = program.States.Select(s => new Dictionary<string, object?>
            {
                ["name"] = s.Name,
                ["moves"] = s.Action?.Moves.Select(m => m.ToString()).ToArray(),
                ["writes"] = s.Action?.Writes.Select(w => w.ToString()).ToArray(),
                ["emit"] = s.Action?.Output.ToString(),
                ["text"] = s.Action is null ? null : Describe(program, s.Action),
                ["visits"] = s.Visits, ["agreeing"] = s.Agreeing,
            }).ToArray(),
            ["transitions"] = program.Transitions.Select(t => new Dictionary<string, object?>
            {
                ["from"] = program.States[t.From].Name, ["symbol"] = t.Symbol, ["read"] = program.ReadsTape ? t.Read : null,
                ["to"] = program.States[t.To].Name, ["count"] = t.Count, ["agreeing"] = t.Agreeing,
            }).ToArray(),
        };
    }
}
