using Ntm.Tasks;

namespace Ntm.Programs;

/// <summary>
/// The input abstraction of a task: each step's input becomes a symbol read off the task's control
/// channels and the task's layout, plus its data bits. Copy: <c>data</c> before the delimiter (an
/// all-zero vector there is still <c>data</c>), <c>delimiter</c>, <c>blank</c> after it. Repeat copy:
/// <c>data</c>, <c>repeat R</c> at the delimiter (R decoded from the normalised count channel),
/// <c>blank</c>. Associative recall: <c>item</c> (item delimiter), <c>data</c> (a vector of an item or
/// of the query), <c>query</c> (query delimiter), <c>blank</c> after the second query delimiter.
/// Other tasks have no abstraction (<see cref="For"/> returns null).
/// </summary>
internal sealed class TaskSymbols
{
    private readonly Func<SequenceBatch, int, StepInput[]> _symbolize;

    private TaskSymbols(int dataBits, Func<SequenceBatch, int, StepInput[]> symbolize) => (DataBits, _symbolize) = (dataBits, symbolize);

    /// <summary>Width of the data each step carries.</summary>
    public int DataBits { get; }

    /// <summary>Sequence <paramref name="b"/> of a batch as program inputs.</summary>
    public StepInput[] Symbolize(SequenceBatch batch, int b) => _symbolize(batch, b);

    /// <summary>The abstraction of a task, or null when it has none.</summary>
    public static TaskSymbols? For(ISequenceTask task) => task switch
    {
        CopyTask c => new(c.Bits, (batch, b) => Markers(batch, b, c.Bits, c.Bits, -1, _ => "delimiter")),
        RepeatCopyTask r => new(r.Bits, (batch, b) => Markers(batch, b, r.Bits, r.DelimiterChannel, -1,
            x => $"repeat {(int)Math.Round(x[r.RepeatChannel] * (r.RepeatStdDev > 0 ? r.RepeatStdDev : 1) + r.RepeatMean)}")),
        AssociativeRecallTask a => new(a.Bits, (batch, b) => Markers(batch, b, a.Bits, a.ItemDelimiterChannel, a.QueryDelimiterChannel, x => "")),
        _ => null,
    };

    // Copy and repeat copy: one marker channel, data before it, blank after. Recall: item and query
    // delimiters; data between them, blank after the second query delimiter.
    private static StepInput[] Markers(SequenceBatch batch, int b, int bits, int marker, int query, Func<Span<float>, string> markerName)
    {
        var steps = new StepInput[batch.Steps];
        int queries = 0;
        bool seenMarker = false;
        for (int t = 0; t < batch.Steps; t++)
        {
            Span<float> x = batch.Input(t, b);
            var data = new bool[bits];
            for (int j = 0; j < bits; j++) data[j] = x[j] > 0.5f;
            string symbol;
            if (query >= 0)
            {
                if (x[marker] > 0.5f) symbol = "item";
                else if (x[query] > 0.5f) symbol = ++queries == 1 ? "query" : "query-end";
                else symbol = queries >= 2 ? "blank" : "data";
            }
            else if (x[marker] > 0.5f) { symbol = markerName(x); seenMarker = true; }
            else symbol = seenMarker ? "blank" : "data";
            steps[t] = new StepInput(symbol, data);
        }
        return steps;
    }
}
