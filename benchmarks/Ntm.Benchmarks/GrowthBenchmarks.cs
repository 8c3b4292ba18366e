using BenchmarkDotNet.Attributes;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Benchmarks;

/// <summary>One point of <see cref="GrowthBenchmarks"/>: memory rows N and controller size H, the rest as the copy machine.</summary>
/// <param name="MemoryRows">N.</param>
/// <param name="ControllerSize">H.</param>
public sealed record GrowthCase(int MemoryRows, int ControllerSize)
{
    /// <summary>The label BenchmarkDotNet shows.</summary>
    public override string ToString() => $"N={MemoryRows} H={ControllerSize}";
}

/// <summary>
/// Time of one inference time step (the engine's forward pass on one sequence, no loss, no
/// backward) as the memory grows (N = 128 ... 65536 rows of 20, LSTM 100) and as the controller
/// grows (H = 50 ... 400, memory 128 x 20). One invocation runs a copy sequence of length 5 (11
/// steps) and counts as 11 operations, so the mean is per step; it includes the sequence's share of
/// filling the initial memory and its row norms (one N x M pass over 11 steps).
/// </summary>
[MemoryDiagnoser]
public class GrowthBenchmarks
{
    /// <summary>Copy length of the sequence each invocation runs.</summary>
    public const int Length = 5;
    /// <summary>Steps of that sequence: 2 L + 1.</summary>
    public const int Steps = 2 * Length + 1;

    private NeuralTuringMachine _model = null!;
    private ShardWorkspace<float> _ws = null!;

    /// <summary>The points measured: N doubling by 8 at H = 100, then H doubling at N = 128.</summary>
    public static IEnumerable<GrowthCase> Cases =>
    [
        new(128, 100), new(1024, 100), new(8192, 100), new(65536, 100),
        new(128, 50), new(128, 200), new(128, 400),
    ];

    /// <summary>The point being measured.</summary>
    [ParamsSource(nameof(Cases))]
    public GrowthCase Case { get; set; } = new(128, 100);

    [GlobalSetup]
    public void Setup()
    {
        var task = new CopyTask();
        var config = new NtmConfig
        {
            InputSize = task.InputSize,
            OutputSize = task.OutputSize,
            MemoryRows = Case.MemoryRows,
            ControllerSize = Case.ControllerSize,
        };
        _model = NeuralTuringMachine.Create(config, 1);
        _ws = _model.Workspace(0);
        NeuralTuringMachine.Load(task.Make(new Rng(1), 1, Length), _ws, 0, 1);
        _model.Engine.Forward(_model.Parameters, _ws, Steps, 1);
    }

    /// <summary>One forward time step (mean over a sequence of 11).</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public float ForwardStep()
    {
        _model.Engine.Forward(_model.Parameters, _ws, Steps, 1);
        return _ws.Logits[0];
    }
}
