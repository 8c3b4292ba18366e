using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Programs;

/// <summary>How a program's outputs compare with a reference (the machine's thresholded outputs, or the task's targets) on a set of sequences.</summary>
/// <param name="Label">What was compared, e.g. <c>length 30</c> or <c>training</c>.</param>
/// <param name="Sequences">Sequences compared.</param>
/// <param name="BitAgreement">Fraction of scored output bits that are equal.</param>
/// <param name="SequenceAgreement">Fraction of sequences whose scored outputs are all equal.</param>
/// <param name="ProgramCorrect">Fraction of sequences the program gets exactly right on the task.</param>
/// <param name="MachineCorrect">Fraction of sequences the machine gets exactly right (thresholded at 0.5); null when the machine was not run.</param>
/// <param name="TapeRows">Rows of the program's tape.</param>
/// <param name="Groups">Per group of the sequences (<see cref="ProgramAgreement.Groups"/>: <c>length 3</c>, <c>repeats 7</c>, <c>items 4</c>), how many were compared and how many agreed with the machine; empty when the machine was not run.</param>
public sealed record AgreementRow(string Label, int Sequences, double BitAgreement, double SequenceAgreement, double ProgramCorrect, double? MachineCorrect, int TapeRows,
    IReadOnlyList<AgreementGroup>? Groups = null);

/// <summary>The sequences of one group (e.g. every sequence of length 3) in an <see cref="AgreementRow"/>.</summary>
/// <param name="Label">The group, e.g. <c>length 3</c> or <c>repeats 1</c>.</param>
/// <param name="Sequences">Sequences of the group compared.</param>
/// <param name="Agreeing">Of those, the sequences whose scored outputs all equal the machine's.</param>
public sealed record AgreementGroup(string Label, int Sequences, int Agreeing);

/// <summary>Compares an extracted program with its machine and with the task (docs/programs.md, "Agreement and reach").</summary>
public static class ProgramAgreement
{
    /// <summary>
    /// Sequences drawn per call of the sequence source: one, because a task draws one length (and count)
    /// per batch, and a larger batch would give fewer distinct lengths than sequences.
    /// </summary>
    public const int Chunk = 1;

    // The program's outputs on one sequence of a batch against outputs laid out (Steps, BatchSize, O) and
    // against the targets, on the scored steps: (equal bits, scored bits, all equal, program correct).
    internal static (int Bits, int Total, bool Sequence, bool Correct) Compare(TapeProgram program, StepInput[] inputs, float[]? outputs, SequenceBatch batch, int b, int tapeRows)
    {
        ExecutionResult run = TapeExecutor.Run(program, inputs, tapeRows);
        int o = batch.OutputSize, equal = 0, total = 0;
        bool all = true, correct = true;
        for (int t = 0; t < batch.Steps; t++)
        {
            if (batch.Mask[t * batch.BatchSize + b] <= 0) continue;
            for (int j = 0; j < o; j++)
            {
                bool mine = run.Outputs[t][j];
                bool target = batch.Targets[(t * batch.BatchSize + b) * o + j] > 0.5f;
                correct &= mine == target;
                if (outputs is null) continue;
                bool theirs = outputs[(t * batch.BatchSize + b) * o + j] > 0.5f;
                total++;
                if (mine == theirs) equal++; else all = false;
            }
        }
        return (equal, total, all, correct);
    }

    /// <summary>
    /// Runs <paramref name="count"/> sequences from <paramref name="make"/> through the program (tape of
    /// <paramref name="tapeRows"/> rows) and, unless <paramref name="machine"/> is null, the machine.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The task has no input abstraction.</exception>
    public static AgreementRow Measure(string label, TapeProgram program, NeuralTuringMachine? machine, ISequenceTask task,
        Func<Rng, int, SequenceBatch> make, int count, int tapeRows, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(make);
        TaskSymbols symbols = TaskSymbols.For(task) ?? throw new InvalidConfigurationException($"The {task.Name} task has no program input abstraction.");
        long bits = 0, total = 0;
        int same = 0, programRight = 0, machineRight = 0, done = 0;
        var groups = new Dictionary<string, (int N, int Same)>();
        while (done < count)
        {
            int n = Math.Min(Chunk, count - done);
            SequenceBatch batch = make(rng, n);
            float[]? y = machine?.Predict(batch);
            for (int b = 0; b < n; b++)
            {
                StepInput[] inputs = symbols.Symbolize(batch, b);
                var r = Compare(program, inputs, y, batch, b, tapeRows);
                if (machine is not null)
                    foreach (string g in Groups(inputs))
                    {
                        var (gn, gs) = groups.GetValueOrDefault(g);
                        groups[g] = (gn + 1, gs + (r.Sequence ? 1 : 0));
                    }
                bits += r.Bits;
                total += r.Total;
                if (machine is not null && r.Sequence) same++;
                if (r.Correct) programRight++;
                if (y is not null && MachineRight(y, batch, b)) machineRight++;
            }
            done += n;
        }
        return new AgreementRow(label, count, total == 0 ? double.NaN : bits / (double)total, machine is null ? double.NaN : same / (double)count,
            programRight / (double)count, machine is null ? null : machineRight / (double)count, tapeRows, Sorted(groups));
    }

    /// <summary>
    /// The groups a sequence belongs to, read off its program inputs: <c>length L</c> (its data vectors;
    /// associative recall: <c>items K</c>, its item delimiters) and, for repeat copy, <c>repeats R</c>.
    /// </summary>
    public static IEnumerable<string> Groups(IReadOnlyList<StepInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int items = inputs.Count(x => x.Symbol == "item");
        if (items > 0) yield return $"items {items}";
        else yield return $"length {inputs.TakeWhile(x => x.Symbol == TapeExecutor.DataSymbol).Count()}";
        foreach (StepInput x in inputs)
            if (x.Symbol.StartsWith("repeat ", StringComparison.Ordinal)) yield return "repeats " + x.Symbol["repeat ".Length..];
    }

    private static IReadOnlyList<AgreementGroup> Sorted(Dictionary<string, (int N, int Same)> groups) =>
        groups.OrderBy(g => g.Key[..g.Key.IndexOf(' ', StringComparison.Ordinal)], StringComparer.Ordinal)
            .ThenBy(g => int.TryParse(g.Key.AsSpan(g.Key.IndexOf(' ', StringComparison.Ordinal) + 1), out int v) ? v : 0)
            .Select(g => new AgreementGroup(g.Key, g.Value.N, g.Value.Same)).ToArray();

    private static bool MachineRight(float[] y, SequenceBatch batch, int b)
    {
        int o = batch.OutputSize;
        for (int t = 0; t < batch.Steps; t++)
        {
            if (batch.Mask[t * batch.BatchSize + b] <= 0) continue;
            for (int j = 0; j < o; j++)
            {
                int at = (t * batch.BatchSize + b) * o + j;
                if ((y[at] > 0.5f) != (batch.Targets[at] > 0.5f)) return false;
            }
        }
        return true;
    }
}
