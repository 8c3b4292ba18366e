using BenchmarkDotNet.Attributes;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Benchmarks;

/// <summary>
/// One training step (forward, backward through time, clipping, optimiser) of the paper's copy
/// machine (LSTM 100, memory 128 x 20, one read and one write head) on copy sequences of length 20
/// (41 steps). The memory diagnoser shows what a step allocates (the sampled batch and the
/// parallel loop's bookkeeping; nothing per time step).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Trainer _trainer = null!;
    private SequenceBatch _batch = null!;

    /// <summary>Sequences per minibatch.</summary>
    [Params(1, 8)]
    public int BatchSize { get; set; }

    /// <summary>Threads working on the minibatch's shards.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var task = new CopyTask();
        var model = NeuralTuringMachine.Create(new NtmConfig(), 1);
        _trainer = new Trainer(model, task, new TrainerOptions { BatchSize = BatchSize, Threads = Threads, Shards = 2 });
        _batch = task.Make(new Rng(1), BatchSize, 20);
        _trainer.Step(_batch);
    }

    /// <summary>One minibatch of length-20 copy sequences.</summary>
    [Benchmark]
    public StepResult Step() => _trainer.Step(_batch);
}

/// <summary>Forward pass only (evaluation) of the copy machine on one length-20 sequence.</summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private NeuralTuringMachine _model = null!;
    private SequenceBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = NeuralTuringMachine.Create(new NtmConfig(), 1);
        _batch = new CopyTask().Make(new Rng(1), 1, 20);
        _model.Evaluate(_batch);
    }

    /// <summary>Forward of one sequence, with scoring.</summary>
    [Benchmark]
    public BatchScores Evaluate() => _model.Evaluate(_batch);
}
