namespace Ntm.Programs;

/// <summary>The latest run of consecutive data inputs, which a content jump matches: a data step after any other symbol starts a new run.</summary>
internal sealed class RecentInputs
{
    /// <summary>The longest run kept; a longer run keeps its latest inputs.</summary>
    public const int Limit = 16;

    private bool _previousData;

    /// <summary>The run, oldest first.</summary>
    public List<bool[]> Run { get; } = [];

    /// <summary>The step at which the run began (-1 before any data).</summary>
    public long Start { get; private set; } = -1;

    public void Remember(StepInput x, long step)
    {
        bool data = x.Symbol == TapeExecutor.DataSymbol;
        if (data)
        {
            if (!_previousData) { Run.Clear(); Start = step; }
            if (Run.Count == Limit) Run.RemoveAt(0);
            Run.Add((bool[])x.Data.Clone());
        }
        _previousData = data;
    }
}
