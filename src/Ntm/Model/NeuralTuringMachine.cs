using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Model;

/// <summary>Cost and bit errors of a batch, per sequence.</summary>
/// <param name="CostBits">Binary cross-entropy of each sequence, in bits (sum over scored bits of -log2 p).</param>
/// <param name="BitErrors">Scored output bits on the wrong side of 0.5, per sequence.</param>
public sealed record BatchScores(double[] CostBits, double[] BitErrors)
{
    /// <summary>Mean cost per sequence in bits.</summary>
    public double MeanCostBits => CostBits.Average();
    /// <summary>Mean bit errors per sequence.</summary>
    public double MeanBitErrors => BitErrors.Average();
}

/// <summary>
/// A Neural Turing Machine: its configuration and its parameters in one flat buffer. Runs forward
/// on batches (<see cref="Evaluate"/>, <see cref="Predict"/>, <see cref="Trace"/>); training goes
/// through <see cref="Ntm.Training.Trainer"/>. Not thread-safe: use one instance per thread.
/// </summary>
public sealed class NeuralTuringMachine
{
    private readonly MachineEngine<float> _engine;
    private ShardWorkspace<float>[] _workspaces = [];
    private ShardWorkspace<float>? _streaming;
    private readonly HardAttention _attention = HardAttention.Soft;

    /// <summary>The machine's shape.</summary>
    public NtmConfig Config { get; }

    /// <summary>Where each named tensor lives in <see cref="Parameters"/>.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>All parameters, laid out as <see cref="Layout"/> says. Writable: an optimizer updates it in place.</summary>
    public float[] Parameters { get; }

    internal MachineEngine<float> Engine => _engine;

    private NeuralTuringMachine(NtmConfig config, float[]? parameters)
    {
        Config = config.Validate();
        Layout = new ParameterLayout(config);
        _engine = new MachineEngine<float>(config, Layout);
        if (parameters is not null && parameters.Length != Layout.Count)
            throw new InvalidConfigurationException(
                $"The configuration needs {Layout.Count} parameters but {parameters.Length} were given.");
        Parameters = parameters ?? new float[Layout.Count];
    }

    /// <summary>A new machine with parameters drawn from <paramref name="seed"/>.</summary>
    public static NeuralTuringMachine Create(NtmConfig config, ulong seed)
    {
        var machine = new NeuralTuringMachine(config, null);
        ParameterInit.Initialize(machine.Config, machine.Layout, machine.Parameters, new Rng(seed));
        return machine;
    }

    /// <summary>A machine with the given parameters (copied), e.g. loaded from a checkpoint.</summary>
    /// <exception cref="InvalidConfigurationException">The count does not match the configuration, or a value is not finite.</exception>
    public static NeuralTuringMachine FromParameters(NtmConfig config, ReadOnlySpan<float> parameters)
    {
        for (int i = 0; i < parameters.Length; i++)
            if (!float.IsFinite(parameters[i]))
                throw new InvalidConfigurationException($"Parameter {i} is {parameters[i]}; every parameter must be finite.");
        return new NeuralTuringMachine(config, parameters.ToArray());
    }

    /// <summary>
    /// The same trained machine with a memory of <paramref name="rows"/> rows (test-time memory size):
    /// a trained row keeps its initial-weighting logit, a new row starts with initial weight 0, a
    /// constant initial memory extends. With the trained number of rows, this machine itself.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">Fewer than 1 row; a model without memory; a learned or
    /// random initial memory (it cannot be carried to another size); or fewer rows than the trained
    /// initial weightings reach (they would lose 1% or more of their weight).</exception>
    public NeuralTuringMachine WithMemoryRows(int rows) => MemoryResize.Resize(this, rows);

    /// <summary>How <see cref="Evaluate"/>, <see cref="Predict"/> and the diagnosis of a limit search use the heads' weightings.</summary>
    public HardAttention Attention => _attention;

    /// <summary>
    /// The same trained machine (sharing its parameters) run with <paramref name="attention"/>: with
    /// <see cref="HardAttention.ArgMax"/> every read and write weighting is one-hot at its largest entry
    /// (<see cref="Evaluate"/>, <see cref="Predict"/>); <see cref="Trace"/> and training stay soft.
    /// </summary>
    public NeuralTuringMachine WithAttention(HardAttention attention)
    {
        ArgumentNullException.ThrowIfNull(attention);
        return attention == _attention ? this : new NeuralTuringMachine(this, attention);
    }

    private NeuralTuringMachine(NeuralTuringMachine trained, HardAttention attention)
    {
        Config = trained.Config;
        Layout = trained.Layout;
        _engine = trained._engine;
        Parameters = trained.Parameters;
        _attention = attention;
    }

    /// <summary>Number of trainable parameters.</summary>
    public int TrainableParameterCount => Layout.TrainableCount;

    internal ShardWorkspace<float> Workspace(int index)
    {
        if (index >= _workspaces.Length)
        {
            var grown = new ShardWorkspace<float>[index + 1];
            _workspaces.CopyTo(grown, 0);
            for (int i = _workspaces.Length; i < grown.Length; i++) grown[i] = new ShardWorkspace<float>(Config, Layout);
            _workspaces = grown;
        }
        return _workspaces[index];
    }

    // The workspace of forward passes that need no backward pass: two time slots of memory-sized records.
    internal ShardWorkspace<float> StreamingWorkspace => _streaming ??= new ShardWorkspace<float>(Config, Layout, streaming: true);

    internal void CheckBatch(SequenceBatch batch)
    {
        if (batch.InputSize != Config.InputSize || batch.OutputSize != Config.OutputSize)
            throw new MalformedDataException(
                $"The batch has input width {batch.InputSize} and output width {batch.OutputSize}, but the machine expects {Config.InputSize} and {Config.OutputSize}.");
    }

    /// <summary>Copies sequences [start, start + count) of a batch into a workspace, time-major.</summary>
    internal static void Load(SequenceBatch batch, ShardWorkspace<float> ws, int start, int count)
    {
        ws.EnsureCapacity(batch.Steps, count);
        int i = batch.InputSize, o = batch.OutputSize;
        for (int t = 0; t < batch.Steps; t++)
        {
            batch.Inputs.AsSpan((t * batch.BatchSize + start) * i, count * i).CopyTo(ws.X.AsSpan(t * count * i));
            batch.Targets.AsSpan((t * batch.BatchSize + start) * o, count * o).CopyTo(ws.Target.AsSpan(t * count * o));
            batch.Mask.AsSpan(t * batch.BatchSize + start, count).CopyTo(ws.Mask.AsSpan(t * count));
        }
    }

    /// <summary>Runs the machine on a batch and scores its outputs against the targets.</summary>
    public BatchScores Evaluate(SequenceBatch batch)
    {
        CheckBatch(batch);
        var ws = StreamingWorkspace;
        ws.RecordFocus = false;
        ws.Attention = _attention;
        Load(batch, ws, 0, batch.BatchSize);
        _engine.Forward(Parameters, ws, batch.Steps, batch.BatchSize);
        var cost = new double[batch.BatchSize];
        var errors = new double[batch.BatchSize];
        _engine.Loss(ws, batch.Steps, batch.BatchSize, cost, errors);
        for (int b = 0; b < cost.Length; b++) cost[b] = Training.BitLoss.ToBits(cost[b]);
        return new BatchScores(cost, errors);
    }

    /// <summary>The machine's outputs (after the sigmoid) for a batch, laid out (Steps, BatchSize, OutputSize).</summary>
    public float[] Predict(SequenceBatch batch)
    {
        CheckBatch(batch);
        var ws = StreamingWorkspace;
        ws.RecordFocus = false;
        ws.Attention = _attention;
        Load(batch, ws, 0, batch.BatchSize);
        _engine.Forward(Parameters, ws, batch.Steps, batch.BatchSize);
        var y = new float[batch.Steps * batch.BatchSize * batch.OutputSize];
        for (int k = 0; k < y.Length; k++) y[k] = Activations.Sigmoid(ws.Logits[k]);
        return y;
    }

    // The row of the largest initial-weighting logit of head hd (softmax keeps the arg max).
    private int InitialFocusRow(int hd)
    {
        ReadOnlySpan<float> logits = Parameters.AsSpan(Layout["init.weighting"].Offset + hd * Config.MemoryRows, Config.MemoryRows);
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /// <summary>Runs one sequence of a batch and records everything the machine did (for pictures).</summary>
    public MachineTrace Trace(SequenceBatch batch, int index = 0)
    {
        CheckBatch(batch);
        if (index < 0 || index >= batch.BatchSize)
            throw new MalformedDataException($"Sequence {index} does not exist in a batch of {batch.BatchSize}.");
        var ws = Workspace(0);
        Load(batch, ws, index, 1);
        int steps = batch.Steps, n = Config.MemoryRows, m = Config.MemoryWidth, heads = Config.Heads;
        _engine.Forward(Parameters, ws, steps, 1);
        var c = Config;
        int p = Layout.HeadOutputSize, outInW = ws.OutInWidth;
        float[,] Grid(int rows, int cols, Func<int, int, float> f)
        {
            var a = new float[rows, cols];
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < cols; k++) a[r, k] = f(r, k);
            return a;
        }
        var slices = new Heads.HeadSlices(c);
        return new MachineTrace
        {
            Inputs = Grid(steps, c.InputSize, (t, k) => ws.X[t * c.InputSize + k]),
            Targets = Grid(steps, c.OutputSize, (t, k) => ws.Target[t * c.OutputSize + k]),
            Outputs = Grid(steps, c.OutputSize, (t, k) => Activations.Sigmoid(ws.Logits[t * c.OutputSize + k])),
            Mask = ws.Mask.AsSpan(0, steps).ToArray(),
            WriteWeightings = Enumerable.Range(0, c.WriteHeads)
                .Select(hd => Grid(steps, n, (t, i) => ws.W[(t * heads + hd) * n + i])).ToArray(),
            ReadWeightings = Enumerable.Range(0, c.ReadHeads)
                .Select(r => Grid(steps, n, (t, i) => ws.W[(t * heads + c.WriteHeads + r) * n + i])).ToArray(),
            ReadVectors = Enumerable.Range(0, c.ReadHeads)
                .Select(r => Grid(steps, m, (t, j) => ws.OutIn[t * outInW + c.ControllerSize + r * m + j])).ToArray(),
            EraseVectors = Enumerable.Range(0, c.WriteHeads)
                .Select(hd => Grid(steps, m, (t, j) => ws.HeadAct[t * p + slices.Offsets[hd] + slices.Layouts[hd].Erase + j])).ToArray(),
            AddVectors = Enumerable.Range(0, c.WriteHeads)
                .Select(hd => Grid(steps, m, (t, j) => ws.HeadAct[t * p + slices.Offsets[hd] + slices.Layouts[hd].Add + j])).ToArray(),
            FinalMemory = heads == 0
                ? new float[n, m]
                : Grid(n, m, (i, j) => ws.Mem[steps * n * m + i * m + j]),
            Hidden = Grid(steps, c.ControllerSize, (t, k) => ws.Hid[^1][t * c.ControllerSize + k]),
            Gates = Enumerable.Range(0, heads)
                .Select(hd => Enumerable.Range(0, steps).Select(t => ws.HeadAct[t * p + slices.Offsets[hd] + slices.Layouts[hd].Gate]).ToArray()).ToArray(),
            Shifts = Enumerable.Range(0, heads)
                .Select(hd => Grid(steps, slices.Layouts[hd].Shifts, (t, j) => ws.HeadAct[t * p + slices.Offsets[hd] + slices.Layouts[hd].Shift + j])).ToArray(),
            Sharpening = Enumerable.Range(0, heads)
                .Select(hd => Enumerable.Range(0, steps).Select(t => ws.HeadAct[t * p + slices.Offsets[hd] + slices.Layouts[hd].Gamma]).ToArray()).ToArray(),
            ContentWeightings = Enumerable.Range(0, heads)
                .Select(hd => Grid(steps, n, (t, i) => ws.Wc[(t * heads + hd) * n + i])).ToArray(),
            InitialFocus = Enumerable.Range(0, heads).Select(hd => InitialFocusRow(hd)).ToArray(),
        };
    }
}
