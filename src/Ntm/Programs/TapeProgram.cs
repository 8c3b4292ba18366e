namespace Ntm.Programs;

/// <summary>One step's input as a program sees it: a symbol of the task's control channels and the data bits.</summary>
/// <param name="Symbol">The input symbol, e.g. <c>data</c>, <c>delimiter</c>, <c>blank</c>, <c>repeat 3</c>.</param>
/// <param name="Data">The data bits of the step (all false where the input carries none).</param>
public sealed record StepInput(string Symbol, bool[] Data);

/// <summary>A state of a <see cref="TapeProgram"/>: its name, what it does at a step and, for an extracted program, how often that held.</summary>
/// <param name="Name">A short name: <c>start</c>, <c>A</c>, <c>B</c>, ...</param>
/// <param name="Action">What the state does at each step it is in; null for the start state, which is left before the first step.</param>
/// <param name="Visits">Steps of the extraction traces spent in this state (0 for a hand-written program).</param>
/// <param name="Agreeing">Of those, the steps whose observed behaviour was consistent with <paramref name="Action"/>.</param>
public sealed record ProgramState(string Name, StepAction? Action, int Visits = 0, int Agreeing = 0);

/// <summary>A transition: from state <see cref="From"/>, on input <see cref="Symbol"/> (and, if the program reads, the category of what was read at the previous step), to state <see cref="To"/>.</summary>
/// <param name="From">The state index.</param>
/// <param name="Symbol">The input symbol of the step.</param>
/// <param name="Read">The categories read at the previous step (<c>blank</c>, <c>data</c>, <c>marker 1</c>, comma-separated per read head), <c>*</c> for any, or empty when the program does not look at them.</param>
/// <param name="To">The next state's index.</param>
/// <param name="Count">Times this (state, input) pair was seen in the extraction traces (0 for a hand-written program).</param>
/// <param name="Agreeing">Of those, the times the machine went to <paramref name="To"/>.</param>
public sealed record Transition(int From, string Symbol, string Read, int To, int Count = 0, int Agreeing = 0);

/// <summary>
/// A finite-state program over a tape of bit vectors (docs/programs.md): a Moore machine whose state,
/// entered on each step's input symbol, says how every head moves, what each write head writes and what
/// is output. State 0 is the start state. Heads start at <see cref="InitialOffsets"/> on a circular tape.
/// Extracted from a trained machine by <c>ntm explain</c>, or written by hand; run by <see cref="TapeExecutor"/>.
/// </summary>
public sealed class TapeProgram
{
    private readonly Dictionary<(int, string, string), Transition> _next;

    /// <summary>A program.</summary>
    /// <param name="writeHeads">Number of write heads.</param>
    /// <param name="readHeads">Number of read heads.</param>
    /// <param name="dataBits">Width of the data each step carries and each tape row holds.</param>
    /// <param name="outputSize">Width of the output; the data channels come first.</param>
    /// <param name="initialOffsets">Per head (write heads first), its starting row relative to write head 0.</param>
    /// <param name="states">The states; state 0 is the start state (its action is never run).</param>
    /// <param name="transitions">The transitions; at most one per (state, symbol, read).</param>
    /// <param name="readsTape">Whether transitions depend on what the read heads saw at the previous step.</param>
    /// <param name="counts">Whether the program has a counter register (<see cref="Counts"/>); it needs <paramref name="readsTape"/>.</param>
    /// <exception cref="InvalidConfigurationException">The shapes do not fit, or two transitions leave a state on the same input.</exception>
    public TapeProgram(int writeHeads, int readHeads, int dataBits, int outputSize, IReadOnlyList<int> initialOffsets,
        IReadOnlyList<ProgramState> states, IReadOnlyList<Transition> transitions, bool readsTape, bool counts = false)
    {
        if (counts && !readsTape) throw new InvalidConfigurationException("A counting tape program must read the tape: its transitions see the counter after what was read.");
        if (writeHeads < 1 || readHeads < 0) throw new InvalidConfigurationException($"A tape program needs at least one write head, got {writeHeads}.");
        if (dataBits < 1 || outputSize < dataBits) throw new InvalidConfigurationException($"A tape program needs 1 or more data bits and at least as many outputs, got {dataBits} and {outputSize}.");
        if (initialOffsets.Count != writeHeads + readHeads) throw new InvalidConfigurationException($"Give one initial offset per head ({writeHeads + readHeads}), got {initialOffsets.Count}.");
        if (states.Count == 0) throw new InvalidConfigurationException("A tape program needs a start state.");
        for (int s = 1; s < states.Count; s++)
        {
            StepAction a = states[s].Action ?? throw new InvalidConfigurationException($"State {states[s].Name} has no action.");
            if (a.Moves.Count != writeHeads + readHeads || a.Writes.Count != writeHeads)
                throw new InvalidConfigurationException($"State {states[s].Name} gives {a.Moves.Count} moves and {a.Writes.Count} writes for {writeHeads + readHeads} heads and {writeHeads} write heads.");
            if (a.Output.Kind is EmitKind.Read or EmitKind.ReadBefore && (a.Output.Head < 0 || a.Output.Head >= readHeads))
                throw new InvalidConfigurationException($"State {states[s].Name} emits read head {a.Output.Head}, which does not exist.");
            if (a.Writes.Any(w => w.Kind == WriteKind.Read && (w.Index < 0 || w.Index >= readHeads)))
                throw new InvalidConfigurationException($"State {states[s].Name} writes what a read head read, but that read head does not exist.");
            if (a.Output.Kind == EmitKind.Constant && a.Output.Pattern.Length != outputSize) throw new InvalidConfigurationException($"State {states[s].Name} emits a constant of {a.Output.Pattern.Length} bits for {outputSize} outputs.");
        }
        _next = [];
        foreach (Transition t in transitions)
        {
            if (t.From < 0 || t.From >= states.Count || t.To <= 0 || t.To >= states.Count)
                throw new InvalidConfigurationException($"The transition {t.From} -> {t.To} on {t.Symbol} leaves or enters a state that does not exist (or enters the start state).");
            if (!_next.TryAdd((t.From, t.Symbol, readsTape ? t.Read : ""), t))
                throw new InvalidConfigurationException($"State {states[t.From].Name} has two transitions on {t.Symbol} {t.Read}.");
        }
        (WriteHeads, ReadHeads, DataBits, OutputSize, ReadsTape, Counts) = (writeHeads, readHeads, dataBits, outputSize, readsTape, counts);
        InitialOffsets = initialOffsets.ToArray();
        States = states.ToArray();
        Transitions = transitions.ToArray();
    }

    /// <summary>Number of write heads.</summary>
    public int WriteHeads { get; }
    /// <summary>Number of read heads.</summary>
    public int ReadHeads { get; }
    /// <summary>Width of the data a step carries and a tape row holds.</summary>
    public int DataBits { get; }
    /// <summary>Width of the output.</summary>
    public int OutputSize { get; }
    /// <summary>Whether transitions depend on what the read heads saw at the previous step.</summary>
    public bool ReadsTape { get; }
    /// <summary>
    /// Whether the program has a counter register n: an input symbol ending in a number (<c>repeat 7</c>) loads
    /// it and is seen by its name alone (<c>repeat</c>); each later step after one whose output is the end of the
    /// data (the row holding the latest data written) takes one off, down to 0; transitions see <c>;n=0</c> or
    /// <c>;n&gt;0</c> after the read.
    /// </summary>
    public bool Counts { get; }
    /// <summary>Per head, write heads first, its starting row relative to write head 0.</summary>
    public IReadOnlyList<int> InitialOffsets { get; }
    /// <summary>The states; 0 is the start state.</summary>
    public IReadOnlyList<ProgramState> States { get; }
    /// <summary>The transitions.</summary>
    public IReadOnlyList<Transition> Transitions { get; }

    /// <summary>The state after <paramref name="from"/> on an input symbol and what was read; null when no transition is defined.</summary>
    public int? Next(int from, string symbol, string read) =>
        _next.TryGetValue((from, symbol, ReadsTape ? read : ""), out Transition? t) || _next.TryGetValue((from, symbol, AnyRead), out t) ? t.To : null;

    /// <summary>The <see cref="Transition.Read"/> of a transition taken whatever was read.</summary>
    public const string AnyRead = "*";
}
