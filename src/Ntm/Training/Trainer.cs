using System.Diagnostics;
using System.Numerics.Tensors;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// How a <see cref="Trainer"/> trains. The defaults are the paper's (RMSProp as in Graves 2013,
/// learning rate 1e-4, one sequence per update, element-wise clip 10): on the copy task they converge
/// on every seed tried, in fewer sequences than larger minibatches with Adam.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Sequences per minibatch.</summary>
    public int BatchSize { get; init; } = 1;
    /// <summary>Update rule.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;
    /// <summary>Learning rate (the paper's 1e-4 for RMSProp; 5e-4 suits Adam).</summary>
    public float LearningRate { get; init; } = 1e-4f;
    /// <summary>Element-wise gradient clip (the paper: 10); 0 disables it.</summary>
    public float ClipValue { get; init; } = 10f;
    /// <summary>Global-norm gradient clip; 0 disables it.</summary>
    public float ClipNorm { get; init; }
    /// <summary>
    /// Element-wise clip of the gradients carried back through time (controller pre-activations,
    /// head outputs, memory), per sequence, at every step; 0 disables it. It keeps long sequences
    /// (dynamic n-grams: 200 steps) from amplifying the gradient until it overflows.
    /// </summary>
    public float CarryClip { get; init; } = 10f;
    /// <summary>
    /// Parts the minibatch is split into; each part's gradient is computed on its own and the parts
    /// are summed in a fixed order, so results depend on this number but never on <see cref="Threads"/>.
    /// </summary>
    public int Shards { get; init; } = 2;
    /// <summary>
    /// Threads that work at once: on the shards of a minibatch, or, when a minibatch is a single sequence
    /// (batch 1, the paper's setting), inside each time step of it (<see cref="Trainer.StepThreads"/> says how
    /// many the trainer uses there). Never changes the numbers.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Seed of the training data stream.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>
    /// Sequences over which the learning rate falls along a half cosine from <see cref="LearningRate"/>
    /// to <see cref="FinalLearningRateFraction"/> of it, staying there after; 0 keeps it constant.
    /// </summary>
    public long DecaySequences { get; init; }
    /// <summary>Where a decaying learning rate ends, as a fraction of <see cref="LearningRate"/>.</summary>
    public float FinalLearningRateFraction { get; init; } = 0.05f;

    /// <summary>The learning rate of the update made after <paramref name="sequencesSeen"/> training sequences.</summary>
    public float LearningRateAt(long sequencesSeen)
    {
        if (DecaySequences <= 0) return LearningRate;
        double progress = Math.Clamp((double)sequencesSeen / DecaySequences, 0, 1);
        double f = FinalLearningRateFraction + (1 - FinalLearningRateFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(LearningRate * f);
    }

    /// <summary>Checks every field.</summary>
    public TrainerOptions Validate()
    {
        if (BatchSize < 1 || BatchSize > 65536) throw new InvalidConfigurationException($"The batch size must be between 1 and 65536, got {BatchSize}.");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new InvalidConfigurationException($"The learning rate must be a positive number, got {LearningRate}.");
        if (!(ClipValue >= 0) || !float.IsFinite(ClipValue)) throw new InvalidConfigurationException($"The element-wise clip must be 0 (off) or positive, got {ClipValue}.");
        if (!(ClipNorm >= 0) || !float.IsFinite(ClipNorm)) throw new InvalidConfigurationException($"The norm clip must be 0 (off) or positive, got {ClipNorm}.");
        if (!(CarryClip >= 0) || !float.IsFinite(CarryClip)) throw new InvalidConfigurationException($"The carried-gradient clip must be 0 (off) or positive, got {CarryClip}.");
        if (DecaySequences < 0) throw new InvalidConfigurationException($"The decay length must be 0 (constant) or a positive number of sequences, got {DecaySequences}.");
        if (!(FinalLearningRateFraction > 0 && FinalLearningRateFraction <= 1)) throw new InvalidConfigurationException($"The final learning-rate fraction must be in (0, 1], got {FinalLearningRateFraction}.");
        if (Shards < 1 || Shards > 1024) throw new InvalidConfigurationException($"The shard count must be between 1 and 1024, got {Shards}.");
        if (Threads < 1 || Threads > 1024) throw new InvalidConfigurationException($"The thread count must be between 1 and 1024, got {Threads}.");
        return this;
    }
}

/// <summary>What one training step measured on its minibatch.</summary>
/// <param name="CostBits">Mean cost per sequence in bits.</param>
/// <param name="BitErrors">Mean bit errors per sequence.</param>
/// <param name="GradientNorm">Euclidean norm of the gradient before clipping.</param>
public readonly record struct StepResult(double CostBits, double BitErrors, double GradientNorm);

/// <summary>
/// Trains a machine on a task: draws a minibatch, runs forward and backward through time on every
/// shard (in parallel), sums the shard gradients in a fixed order, clips, and applies the optimiser.
/// A minibatch of one sequence is one shard; its time steps are then shared by <see cref="StepThreads"/>
/// threads (a team of persistent threads that the trainer owns; <see cref="Dispose"/> lets them go).
/// The same model, task, options and seed always give the same numbers, whatever the thread count.
/// </summary>
public sealed class Trainer : IDisposable
{
    private MachineEngine<float>.OnTeam? _onTeam, _stepTeam;
    private readonly float[][] _shardGrads;
    private readonly double[][] _shardCost, _shardErrors;
    private readonly float[] _grad;

    /// <summary>The machine being trained.</summary>
    public NeuralTuringMachine Model { get; }
    /// <summary>Where training sequences come from.</summary>
    public ISequenceTask Task { get; }
    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// A factor on the learning rate of <see cref="Options"/> from the next step on (1: the options' rate). A training
    /// session lowers it once the run is solved (<see cref="RunSettings.SolvedLearningRateFactor"/>).
    /// </summary>
    public float LearningRateScale
    {
        get => _learningRateScale;
        set => _learningRateScale = value > 0 && float.IsFinite(value) ? value
            : throw new InvalidConfigurationException($"A learning-rate factor must be a positive number, got {value}.");
    }
    private float _learningRateScale = 1f;
    /// <summary>The update rule and its state.</summary>
    internal Optimizer Optimizer { get; }
    /// <summary>The training data stream (its state is part of a checkpoint).</summary>
    public Rng DataRng { get; private set; }
    /// <summary>Training sequences consumed so far.</summary>
    public long SequencesSeen { get; private set; }

    /// <summary>
    /// Threads that share each time step of a minibatch that is a single shard (batch 1): chosen by
    /// <see cref="ChooseStepThreads"/> from <see cref="TrainerOptions.Threads"/>, the cores and the machine's size.
    /// </summary>
    public int StepThreads { get; }

    /// <summary>
    /// Multiply-adds of the controller's matrices per time step for each thread that shares a step, to pay for
    /// the barriers a thread adds (four per layer and step): on the copy machine's shape an LSTM of 50 units has
    /// 15,800 and a team of two lost to one thread; the paper's 100 units have 51,600 and 200 units 183,200, where
    /// a team of two won while the cores answered each other quickly (docs/performance.md, "Intra-step parallelism at batch 1").
    /// </summary>
    public const int StepWorkPerThread = 16_000;

    /// <summary>
    /// How many threads share one sequence's time steps for <paramref name="threads"/> allowed threads on
    /// <paramref name="cores"/> cores: one per <see cref="StepWorkPerThread"/> multiply-adds of the controller's
    /// matrices per step, at least 1, at most what the threads and the cores allow. A trainer that may use
    /// more than one still times both ways as it trains and uses the faster (a busy core makes a step team slow).
    /// </summary>
    public static int ChooseStepThreads(NtmConfig config, int threads, int cores)
    {
        ArgumentNullException.ThrowIfNull(config);
        long work = 0;
        for (int l = 0; l < config.ControllerLayers; l++)
            work += (long)Controllers.ControllerShape.GateWidth(config) * Controllers.ControllerShape.InputWidth(config, l);
        long byWork = Math.Max(1, work / StepWorkPerThread);
        return (int)Math.Max(1, Math.Min(byWork, Math.Min(threads, cores)));
    }

    /// <summary>Creates a trainer; the optimiser starts fresh.</summary>
    public Trainer(NeuralTuringMachine model, ISequenceTask task, TrainerOptions options) : this(model, task, options, null) { }

    // stepThreads: the threads that share a one-shard minibatch's steps, or null for ChooseStepThreads' choice;
    // adaptive: whether to time the team against one thread and use the faster (otherwise always the team).
    internal Trainer(NeuralTuringMachine model, ISequenceTask task, TrainerOptions options, int? stepThreads, bool adaptive = true)
    {
        _adaptive = adaptive;
        Model = model;
        Task = task;
        Options = options.Validate();
        if (model.Attention.IsHard)
            throw new InvalidConfigurationException($"A machine run with {model.Attention} attention cannot be trained; train the soft machine and run it hard afterwards.");
        if (task.InputSize != model.Config.InputSize || task.OutputSize != model.Config.OutputSize)
            throw new InvalidConfigurationException(
                $"The task '{task.Name}' has input width {task.InputSize} and output width {task.OutputSize}, but the machine has {model.Config.InputSize} and {model.Config.OutputSize}.");
        Optimizer = Optimizer.Create(options.Optimizer, model.Layout.Count, options.LearningRate);
        DataRng = new Rng(options.Seed);
        int shards = options.Shards;
        _shardGrads = new float[shards][];
        _shardCost = new double[shards][];
        _shardErrors = new double[shards][];
        for (int s = 0; s < shards; s++)
        {
            _shardGrads[s] = new float[model.Layout.Count];
            _shardCost[s] = new double[options.BatchSize];
            _shardErrors[s] = new double[options.BatchSize];
            model.Workspace(s);
        }
        _grad = new float[model.Layout.Count];
        StepThreads = stepThreads ?? ChooseStepThreads(model.Config, options.Threads, Environment.ProcessorCount);
        if (StepThreads < 1) throw new InvalidConfigurationException($"At least one thread must work on a step, got {StepThreads}.");
    }

    /// <summary>Lets the threads that share a time step end (the trainer still works afterwards, on one thread).</summary>
    public void Dispose()
    {
        _onTeam?.Team.Dispose();
        _onTeam = null;
        _disposed = true;
    }

    private bool _disposed, _firstGradientClear;
    private readonly bool _adaptive;
    private readonly double[][] _recent = [new double[AdaptiveWindow], new double[AdaptiveWindow]];   // ticks per time step: [0] alone, [1] on the team
    private readonly long[] _recentCount = new long[2];
    private long _timedSteps;
    private int _sinceOther, _burstLeft, _interval = AdaptiveInterval;
    private bool _burstShared, _lastShared, _best;

    /// <summary>Whether the last one-shard minibatch ran on the step team (for tests and diagnostics).</summary>
    internal bool LastStepShared { get; private set; }

    // Whether this one-shard minibatch runs on the team. Both ways run in bursts of AdaptiveBurst minibatches: the
    // first AdaptiveWarmUp alternate (a burst on the team, then one alone); after that the faster way by recent timings runs, except that a burst of the
    // other way runs after AdaptiveInterval minibatches, then after twice as many each time the choice stands (up to
    // AdaptiveMaxInterval), so that the timings follow the machine's load (a step team is slow while another job
    // holds a core) at a cost that shrinks while they do not change.
    private bool ShareThisStep()
    {
        if (!_adaptive) return true;
        if (_burstLeft > 0)
        {
            _burstLeft--;
            return _burstShared;
        }
        if (_timedSteps < AdaptiveWarmUp) return StartBurst((_timedSteps / AdaptiveBurst) % 2 == 0);
        bool best = RecentMedian(1) <= RecentMedian(0);
        if (best != _best)
        {
            _best = best;
            _interval = AdaptiveInterval;
            _sinceOther = 0;
        }
        if (++_sinceOther < _interval) return best;
        _sinceOther = 0;
        _interval = Math.Min(2 * _interval, AdaptiveMaxInterval);   // each burst that leaves the choice as it was doubles the wait
        return StartBurst(!best);
    }

    private bool StartBurst(bool shared)
    {
        _burstShared = shared;
        _burstLeft = AdaptiveBurst - 1;
        return shared;
    }

    // Minibatches per burst; alternating for the first AdaptiveWarmUp; bursts of the slower way; each way judged by the
    // median of its last AdaptiveWindow timed minibatches, so one stalled minibatch (a descheduled thread) decides nothing.
    private const int AdaptiveBurst = 8, AdaptiveWarmUp = 2 * AdaptiveBurst, AdaptiveInterval = 256, AdaptiveMaxInterval = 8192, AdaptiveWindow = 13;
    private const double AdaptiveCutOff = 3;

    private double RecentMedian(int way)
    {
        int n = (int)Math.Min(_recentCount[way], AdaptiveWindow);
        Span<double> sorted = stackalloc double[AdaptiveWindow];
        _recent[way].AsSpan(0, n).CopyTo(sorted);
        sorted = sorted[..n];
        sorted.Sort();
        return n == 0 ? double.PositiveInfinity : sorted[n / 2];
    }

    private void RecordStepTime(bool shared, long ticks, int steps)
    {
        bool switched = _timedSteps++ == 0 || shared != _lastShared;
        _lastShared = shared;
        if (switched) return;   // the first minibatch after a change of way pays for waking the team's threads
        int k = shared ? 1 : 0;
        double x = (double)ticks / (steps + 2);
        // A burst of the way not chosen ends early when it is far slower than the other (a team whose second core is
        // taken can be a hundred times slower): one such minibatch is enough to know.
        if (_burstLeft > 0 && _recentCount[1 - k] > 0 && x > AdaptiveCutOff * RecentMedian(1 - k)) _burstLeft = 0;
        // Per time step, counting the per-sequence part (the optimiser step and the gradient's norm and clip: about two
        // steps' worth of work for the copy machine, FlopCount) as two more, so short and long minibatches compare.
        _recent[k][_recentCount[k]++ % AdaptiveWindow] = x;
    }

    private float[] _updateGrad = [];
    private Action<int>? _updatePart;

    // Member `member`'s range of the clip, the optimiser update and the clear of the gradient, in whole 64-byte lines.
    private void UpdatePart(int member)
    {
        float[] g = _updateGrad, prm = Model.Parameters;
        (int start, int end) = WorkerTeam.Split(g.Length, _onTeam!.Team.Size, member, 16);
        Span<float> range = g.AsSpan(start, end - start);
        if (Options.ClipValue > 0) GradientClipping.ClipElements(range, Options.ClipValue);
        Optimizer.UpdateRange(prm, g, start, end);
        range.Clear();
    }

    // The team that shares one sequence's steps, created at the first minibatch that needs it.
    private MachineEngine<float>.OnTeam? StepTeam()
    {
        if (StepThreads < 2 || _disposed) return null;
        return _onTeam ??= new MachineEngine<float>.OnTeam(Model.Engine, new WorkerTeam(StepThreads));
    }

    /// <summary>Restores the data stream and counters of an interrupted run (optimiser buffers via <see cref="Optimizer"/>).</summary>
    public void Restore(Rng dataRng, long sequencesSeen, long optimizerSteps)
    {
        if (sequencesSeen < 0) throw new InvalidConfigurationException($"A sequence count cannot be negative ({sequencesSeen}).");
        DataRng = dataRng;
        SequencesSeen = sequencesSeen;
        Optimizer.RestoreSteps(optimizerSteps);
    }

    /// <summary>Draws one minibatch from the task and trains on it.</summary>
    public StepResult Step() => Step(Task.Sample(DataRng, Options.BatchSize));

    /// <summary>Trains on one given minibatch.</summary>
    public StepResult Step(SequenceBatch batch)
    {
        Model.CheckBatch(batch);
        int bsz = batch.BatchSize, shards = Math.Min(Options.Shards, bsz);
        long started = Stopwatch.GetTimestamp();
        _stepTeam = shards == 1 && ShareThisStep() ? StepTeam() : null;
        float scale = 1f / bsz;   // the gradient of the mean cost per sequence
        var prm = Model.Parameters;

        void RunShard(int s)
        {
            int start = s * bsz / shards, count = (s + 1) * bsz / shards - start;
            var ws = Model.Workspace(s);
            float[] g = _shardGrads[s];
            if (s == 0 && _firstGradientClear) _firstGradientClear = false;   // cleared by the last shared update
            else Array.Clear(g);
            NeuralTuringMachine.Load(batch, ws, start, count);
            var team = shards == 1 ? _stepTeam : null;
            if (team is null) Model.Engine.Forward(prm, ws, batch.Steps, count);
            else team.Forward(prm, ws, batch.Steps, count);
            double[] cost = _shardCost[s].Length >= count ? _shardCost[s] : _shardCost[s] = new double[count];
            double[] errs = _shardErrors[s].Length >= count ? _shardErrors[s] : _shardErrors[s] = new double[count];
            Array.Clear(cost);
            Array.Clear(errs);
            Model.Engine.Loss(ws, batch.Steps, count, cost, errs);
            if (team is null) Model.Engine.Backward(prm, g, ws, batch.Steps, count, scale, Options.CarryClip);
            else team.Backward(prm, g, ws, batch.Steps, count, scale, Options.CarryClip);
        }

        if (shards == 1 || Options.Threads == 1)
            for (int s = 0; s < shards; s++) RunShard(s);
        else
            Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = Options.Threads }, RunShard);

        // Fixed-order reduction: the same numbers whatever ran where. One shard's gradient is the gradient.
        float[] grad = shards == 1 ? _shardGrads[0] : _grad;
        if (shards > 1) _shardGrads[0].CopyTo(_grad, 0);
        double costSum = 0, errSum = 0;
        for (int s = 0; s < shards; s++)
        {
            if (s > 0) TensorPrimitives.Add(_grad, _shardGrads[s], _grad);
            int count = (s + 1) * bsz / shards - s * bsz / shards;
            for (int b = 0; b < count; b++) { costSum += _shardCost[s][b]; errSum += _shardErrors[s][b]; }
        }
        // A fixed tensor (random initial memory) gets no gradient from the engine, so the optimiser leaves it as it is.

        float norm = GradientClipping.Norm(grad);
        if (!float.IsFinite(norm))
            throw new TrainingDivergedException($"The gradient is not finite after {SequencesSeen} sequences; lower the learning rate or enable clipping.");
        if (Options.ClipNorm > 0) GradientClipping.ClipGlobalNorm(grad, Options.ClipNorm);
        Optimizer.LearningRate = Options.LearningRateAt(SequencesSeen) * LearningRateScale;
        var onTeam = _stepTeam;
        if (onTeam is null)
        {
            if (Options.ClipValue > 0) GradientClipping.ClipElements(grad, Options.ClipValue);
            Optimizer.Update(prm, grad);
        }
        else
        {
            // Element-wise clip and update, each member a range; each then clears its range for the next minibatch.
            _updateGrad = grad;
            onTeam.Team.Run(_updatePart ??= UpdatePart);
            Optimizer.CompleteStep();
            _firstGradientClear = true;
        }
        if (shards == 1 && StepThreads > 1)
        {
            LastStepShared = onTeam is not null;
            RecordStepTime(LastStepShared, Stopwatch.GetTimestamp() - started, batch.Steps);
        }
        _stepTeam = null;
        SequencesSeen += bsz;
        return new StepResult(BitLoss.ToBits(costSum / bsz), errSum / bsz, norm);
    }
}
