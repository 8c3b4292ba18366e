using System.Diagnostics;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Benchmarking;

/// <summary>Settings of one <see cref="ThroughputBenchmark"/> measurement.</summary>
public sealed record ThroughputOptions
{
    /// <summary>
    /// The batch size measured unless told otherwise: 8, a minibatch the two cores can share (the
    /// trainer itself defaults to 1 sequence per update, which <c>ntm bench</c> measures first).
    /// </summary>
    public const int DefaultBatchSize = 8;
    /// <summary>Shards per minibatch unless told otherwise (capped at the batch size): 2, one per core of a two-core machine.</summary>
    public const int DefaultShards = 2;
    /// <summary>The trainer's default learning rate (RMSProp, the paper's 1e-4).</summary>
    public const float DefaultLearningRate = 1e-4f;
    /// <summary>Element-wise gradient clip: the paper's 10.</summary>
    public const float ClipValue = 10f;

    /// <summary>Sequences per minibatch.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;
    /// <summary>Threads working on the minibatch's shards.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Shards per minibatch; null for <see cref="DefaultShards"/> capped at the batch size.</summary>
    public int? Shards { get; init; }
    /// <summary>Update rule (its flops count in the per-sequence share of the optimiser step).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;
    /// <summary>Learning rate.</summary>
    public float LearningRate { get; init; } = DefaultLearningRate;
    /// <summary>Timed repetitions; the result is their median.</summary>
    public int Repetitions { get; init; } = 5;
    /// <summary>Length of one timed repetition, in seconds (it ends at the first whole minibatch past it).</summary>
    public double RepetitionSeconds { get; init; } = 1.0;
    /// <summary>Untimed training before the repetitions, in seconds (at least one pass over the longest minibatch).</summary>
    public double WarmupSeconds { get; init; } = 1.0;
    /// <summary>Time spent on each of the two kernel ceilings (forward and backward) and on the peak, in seconds.</summary>
    public double CeilingSeconds { get; init; } = 0.5;
    /// <summary>Minibatches drawn in advance and cycled through, so every run does the same work in the same order.</summary>
    public int Minibatches { get; init; } = 64;
    /// <summary>Seed of the initial weights and of the pre-drawn minibatches.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The shard count actually used.</summary>
    public int EffectiveShards => Math.Min(Shards ?? DefaultShards, BatchSize);

    /// <summary>Checks every field.</summary>
    /// <exception cref="InvalidConfigurationException">A field is out of range; the message names it.</exception>
    public ThroughputOptions Validate()
    {
        new TrainerOptions { BatchSize = BatchSize, Threads = Threads, Shards = Shards ?? 1, Optimizer = Optimizer, LearningRate = LearningRate }.Validate();
        if (Repetitions < 1 || Repetitions > 1000) throw new InvalidConfigurationException($"The repetitions must be between 1 and 1000, got {Repetitions}.");
        if (Minibatches < 1 || Minibatches > 100_000) throw new InvalidConfigurationException($"The pre-drawn minibatches must be between 1 and 100000, got {Minibatches}.");
        CheckSeconds(RepetitionSeconds, "repetition");
        CheckSeconds(WarmupSeconds, "warm-up");
        CheckSeconds(CeilingSeconds, "ceiling");
        return this;
    }

    private static void CheckSeconds(double s, string what)
    {
        if (!(s > 0) || s > 3600) throw new InvalidConfigurationException($"The {what} time must be above 0 and at most 3600 seconds, got {s}.");
    }
}

/// <summary>What one <see cref="ThroughputBenchmark"/> configuration measured.</summary>
public sealed record ThroughputResult
{
    /// <summary>Sequences per minibatch.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Threads working on shards.</summary>
    public required int Threads { get; init; }
    /// <summary>Shards per minibatch.</summary>
    public required int Shards { get; init; }
    /// <summary>Update rule.</summary>
    public required OptimizerKind Optimizer { get; init; }
    /// <summary>Median over the repetitions of trained sequences per second.</summary>
    public required double SequencesPerSecond { get; init; }
    /// <summary>Each repetition's sequences per second, in the order they ran.</summary>
    public required double[] RepetitionSequencesPerSecond { get; init; }
    /// <summary>
    /// Flops per trained sequence over exactly the minibatches the timed repetitions ran (forward,
    /// loss, backward through time, and the optimiser step's per-sequence share), from <see cref="FlopCount"/>.
    /// </summary>
    public required double FlopsPerSequence { get; init; }
    /// <summary>The optimiser step's share of <see cref="FlopsPerSequence"/>.</summary>
    public required double OptimizerFlopsPerSequence { get; init; }
    /// <summary><see cref="SequencesPerSecond"/> times <see cref="FlopsPerSequence"/>, in 1e9 flops per second.</summary>
    public required double Gflops { get; init; }
    /// <summary>
    /// GFLOP/s of <c>Linear.Forward</c> alone on the controller's gate matrix (4H x (I + R M + H)) over
    /// one shard's sequences, timed in a loop, one loop per thread that the configuration can keep busy
    /// (min(threads, shards)), summed: what the dominant kernel reaches through the same code path.
    /// </summary>
    public required double CeilingGflops { get; init; }
    /// <summary>The same for <c>Linear.Backward</c> (dW, db and dx) on the same shapes.</summary>
    public required double CeilingBackwardGflops { get; init; }
    /// <summary>
    /// Threads the configuration keeps busy, the loops the ceilings and the peak run on: min(threads, shards)
    /// for several shards; for one shard (batch 1), the trainer's step threads if most timed minibatches ran
    /// on its worker team (<see cref="Trainer.StepThreads"/>; the trainer times both ways and keeps the faster),
    /// else 1.
    /// </summary>
    public required int ThreadsUsed { get; init; }
    /// <summary>
    /// The machine's single-precision peak on <see cref="ThreadsUsed"/> threads, measured in the same
    /// run with <see cref="PeakFlops"/> (fused multiply-adds on the widest accelerated vector, no memory).
    /// </summary>
    public required double PeakGflops { get; init; }
    /// <summary><see cref="Gflops"/> over <see cref="CeilingGflops"/>.</summary>
    public double Ratio => CeilingGflops > 0 ? Gflops / CeilingGflops : 0;
    /// <summary>Sequences trained in the timed repetitions.</summary>
    public required long Sequences { get; init; }
    /// <summary>Seconds of the timed repetitions.</summary>
    public required double Seconds { get; init; }
}

/// <summary>
/// Measures training throughput on the paper's copy configuration (the default <see cref="NtmConfig"/>:
/// LSTM 100, memory 128 x 20, one read and one write head; <see cref="CopyTask"/> with lengths
/// 1-20; a <see cref="Trainer"/> with RMSProp at 1e-4, element-wise clip 10, batch 8 in 2 shards unless
/// told otherwise; these are set here, not taken from <see cref="TrainerOptions"/>'s defaults, so
/// the measured work stays the same when those change). A fixed, seeded list of minibatches is
/// drawn first and cycled through, so every run does the same work; training warms up (the longest
/// minibatch first, so the workspaces never grow while timed), then runs several timed repetitions
/// and reports their median, the flops per sequence from <see cref="FlopCount"/> over exactly the
/// sequences the repetitions used, and a kernel ceiling and the machine's peak measured in the same run.
/// </summary>
public static class ThroughputBenchmark
{
    /// <summary>The configuration measured: the paper's copy machine.</summary>
    public static NtmConfig CopyConfig { get; } = new() { InputSize = new CopyTask().InputSize, OutputSize = new CopyTask().OutputSize };

    /// <summary>Runs one measurement.</summary>
    /// <exception cref="InvalidConfigurationException">An option is out of range.</exception>
    public static ThroughputResult Run(ThroughputOptions options)
    {
        options.Validate();
        var task = new CopyTask();
        NtmConfig config = CopyConfig;
        var model = NeuralTuringMachine.Create(config, options.Seed);
        int shards = options.EffectiveShards;
        var trainerOptions = new TrainerOptions
        {
            BatchSize = options.BatchSize,
            Threads = options.Threads,
            Shards = shards,
            Optimizer = options.Optimizer,
            LearningRate = options.LearningRate,
            ClipValue = ThroughputOptions.ClipValue,
            ClipNorm = 0f,
            Seed = options.Seed,
        };
        var trainer = new Trainer(model, task, trainerOptions);

        var rng = new Rng(options.Seed);
        var batches = new SequenceBatch[options.Minibatches];
        var flops = new double[batches.Length];
        FlopCount count = FlopCount.For(config);
        double optimizerFlops = count.OptimizerStep(trainerOptions.Optimizer, shards);
        for (int i = 0; i < batches.Length; i++)
        {
            batches[i] = task.Sample(rng, options.BatchSize);
            flops[i] = BatchFlops(count, batches[i]) + optimizerFlops;
        }

        // Warm-up: the longest minibatch first sizes every workspace for the whole list.
        int longest = 0;
        for (int i = 1; i < batches.Length; i++) if (batches[i].Steps > batches[longest].Steps) longest = i;
        trainer.Step(batches[longest]);
        int next = 0;
        long warmEnd = Stopwatch.GetTimestamp() + Ticks(options.WarmupSeconds);
        do
        {
            trainer.Step(batches[next]);
            next = (next + 1) % batches.Length;
        } while (Stopwatch.GetTimestamp() < warmEnd);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var rates = new double[options.Repetitions];
        long sequences = 0, minibatches = 0, shared = 0;
        double seconds = 0, totalFlops = 0;
        for (int r = 0; r < options.Repetitions; r++)
        {
            long seqs = 0;
            long start = Stopwatch.GetTimestamp(), end = start + Ticks(options.RepetitionSeconds), now;
            do
            {
                trainer.Step(batches[next]);
                minibatches++;
                if (trainer.LastStepShared) shared++;
                seqs += batches[next].BatchSize;
                totalFlops += flops[next];
                next = (next + 1) % batches.Length;
                now = Stopwatch.GetTimestamp();
            } while (now < end);
            double s = (now - start) / (double)Stopwatch.Frequency;
            rates[r] = seqs / s;
            sequences += seqs;
            seconds += s;
        }

        double median = Median(rates);
        double flopsPerSequence = totalFlops / sequences;
        int shardSize = (options.BatchSize + shards - 1) / shards;
        int loops = shards > 1 ? Math.Min(options.Threads, shards) : 2 * shared >= minibatches ? trainer.StepThreads : 1;
        int rows = GateRows(config), cols = GateCols(config);
        return new ThroughputResult
        {
            BatchSize = options.BatchSize,
            Threads = options.Threads,
            Shards = shards,
            Optimizer = options.Optimizer,
            SequencesPerSecond = median,
            RepetitionSequencesPerSecond = rates,
            FlopsPerSequence = flopsPerSequence,
            OptimizerFlopsPerSequence = optimizerFlops / options.BatchSize,
            Gflops = median * flopsPerSequence / 1e9,
            CeilingGflops = LinearCeiling(rows, cols, shardSize, loops, options.CeilingSeconds, backward: false),
            CeilingBackwardGflops = LinearCeiling(rows, cols, shardSize, loops, options.CeilingSeconds, backward: true),
            ThreadsUsed = loops,
            PeakGflops = PeakFlops.Measure(loops, options.CeilingSeconds),
            Sequences = sequences,
            Seconds = seconds,
        };
    }

    /// <summary>Forward, loss and backward flops of every sequence of a minibatch (no optimiser share).</summary>
    public static double BatchFlops(FlopCount count, SequenceBatch batch)
    {
        double total = 0;
        for (int b = 0; b < batch.BatchSize; b++) total += count.Sequence(batch.Steps, batch.ScoredSteps(b)).Total;
        return total;
    }

    /// <summary>Rows of the first controller layer's matrix: 4H for an LSTM, H for a feed-forward layer.</summary>
    public static int GateRows(NtmConfig config) => Controllers.ControllerShape.GateWidth(config);

    /// <summary>Columns of the first controller layer's matrix: I + R M, plus H for an LSTM.</summary>
    public static int GateCols(NtmConfig config) => Controllers.ControllerShape.InputWidth(config, 0);

    /// <summary>
    /// GFLOP/s of <c>Linear.Forward</c> (or <c>Linear.Backward</c>, with dx) on a
    /// (<paramref name="rows"/> x <paramref name="cols"/>) matrix over <paramref name="batch"/> vectors, in
    /// a loop for about <paramref name="seconds"/>, on <paramref name="loops"/> threads at once, each with
    /// its own buffers; the threads' rates are summed. Flops per call are batch times
    /// <see cref="FlopCount.LinearForward"/> (or <see cref="FlopCount.LinearBackward"/>), as in the sequence counts.
    /// </summary>
    public static double LinearCeiling(int rows, int cols, int batch, int loops, double seconds, bool backward)
    {
        if (rows < 1 || cols < 1 || batch < 1 || loops < 1 || !(seconds > 0))
            throw new InvalidConfigurationException($"A kernel ceiling needs positive sizes and time, got {rows} x {cols}, batch {batch}, {loops} loops, {seconds} s.");
        double perCall = batch * (double)(backward ? FlopCount.LinearBackward(rows, cols) : FlopCount.LinearForward(rows, cols));
        var rates = new double[loops];
        using var start = new Barrier(loops);
        var threads = new Thread[loops];
        for (int i = 0; i < loops; i++)
        {
            int index = i;
            threads[i] = new Thread(() => rates[index] = perCall * LinearLoop(rows, cols, batch, seconds, backward, start, (ulong)index + 1))
            {
                IsBackground = true,
                Name = $"ceiling {index}",
            };
            threads[i].Start();
        }
        foreach (Thread t in threads) t.Join();
        return rates.Sum() / 1e9;
    }

    // Calls per second of one kernel loop: a short untimed warm-up, then as many calls as fit in the time.
    private static double LinearLoop(int rows, int cols, int batch, double seconds, bool backward, Barrier start, ulong seed)
    {
        var rng = new Rng(seed);
        float[] w = Random(rng, rows * cols, 0.1f), bias = Random(rng, rows, 0.1f), x = Random(rng, batch * cols, 1f);
        float[] y = new float[batch * rows], dy = Random(rng, batch * rows, 1e-3f);
        float[] dw = new float[rows * cols], db = new float[rows], dx = new float[batch * cols];
        void Call()
        {
            if (backward) Linear.Backward<float>(dw, db, dx, cols, w, rows, cols, x, cols, dy, rows, batch);
            else Linear.Forward<float>(w, bias, rows, cols, x, cols, y, rows, batch);
        }
        long warmEnd = Stopwatch.GetTimestamp() + Ticks(Math.Min(0.2, seconds / 4));
        do Call(); while (Stopwatch.GetTimestamp() < warmEnd);
        start.SignalAndWait();
        long calls = 0, begin = Stopwatch.GetTimestamp(), end = begin + Ticks(seconds), now;
        do
        {
            for (int i = 0; i < 16; i++) Call();
            calls += 16;
            now = Stopwatch.GetTimestamp();
        } while (now < end);
        return calls / ((now - begin) / (double)Stopwatch.Frequency);
    }

    private static float[] Random(Rng rng, int length, float scale)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = scale * (2 * rng.NextFloat() - 1);
        return a;
    }

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>The median of the values (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        double[] s = [.. values.Order()];
        int mid = s.Length / 2;
        return s.Length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }
}
