using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

public sealed class TrainingTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-training-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A copy task small enough to train a few hundred sequences in well under a second.</summary>
    internal static RunSettings Tiny(long maxSequences, int threads = 2) => new()
    {
        Task = "copy",
        TaskSettings = new() { ["bits"] = "4", ["min-length"] = "1", ["max-length"] = "4" },
        Model = new NtmConfig { ControllerSize = 12, MemoryRows = 10, MemoryWidth = 6 },
        Trainer = new TrainerOptions { BatchSize = 4, Shards = 2, Threads = threads, Seed = 3 },
        ModelSeed = 3,
        MaxSequences = maxSequences,
        ReportEvery = 40,
        EvalBatches = 2,
        EvalBatchSize = 4,
        CheckpointEvery = 80,
        StopWhenConverged = false,
    };

    private static float[] TrainParams(int threads, int steps)
    {
        var task = new CopyTask(bits: 4, maxLength: 4);
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 12, MemoryRows = 10, MemoryWidth = 6 }, 5);
        var trainer = new Trainer(model, task, new TrainerOptions { BatchSize = 6, Shards = 3, Threads = threads, Seed = 9 });
        for (int i = 0; i < steps; i++) trainer.Step();
        return model.Parameters;
    }

    [Fact]
    public void Same_seed_gives_identical_parameters_whatever_the_thread_count()
    {
        float[] a = TrainParams(threads: 1, steps: 15);
        float[] b = TrainParams(threads: 3, steps: 15);
        float[] c = TrainParams(threads: 1, steps: 15);
        Assert.Equal(a, c);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Training_lowers_the_cost_on_a_small_copy_task()
    {
        var task = new CopyTask(bits: 4, maxLength: 3);
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 16, MemoryRows = 8, MemoryWidth = 6 }, 2);
        var trainer = new Trainer(model, task, new TrainerOptions { BatchSize = 8, Seed = 4, LearningRate = 3e-3f });
        double before = Evaluation.Run(model, task.Sample, 32, 8, new Numerics.Rng(77)).CostBits;
        for (int i = 0; i < 300; i++) trainer.Step();
        double after = Evaluation.Run(model, task.Sample, 32, 8, new Numerics.Rng(77)).CostBits;
        Assert.True(after < 0.6 * before, $"cost went from {before:F2} to {after:F2} bits per sequence");
    }

    [Fact]
    public void Step_rejects_a_batch_of_the_wrong_width()
    {
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 4, MemoryRows = 4, MemoryWidth = 3 }, 1);
        var trainer = new Trainer(model, new CopyTask(bits: 4), new TrainerOptions());
        var wrong = new SequenceBatch(3, 2, 9, 8);
        Assert.Throws<Ntm.MalformedDataException>(() => trainer.Step(wrong));
    }

    [Fact]
    public void Trainer_refuses_a_task_that_does_not_fit_the_machine()
    {
        var model = NeuralTuringMachine.Create(new NtmConfig(), 1);
        var e = Assert.Throws<InvalidConfigurationException>(() => new Trainer(model, new CopyTask(bits: 4), new TrainerOptions()));
        Assert.Contains("input width", e.Message);
    }

    [Fact]
    public void A_resumed_run_writes_exactly_the_metrics_and_weights_of_an_uninterrupted_run()
    {
        string whole = Path.Combine(_dir, "whole"), split = Path.Combine(_dir, "split");
        TrainingSession.Start(whole, Tiny(400)).Run();

        // Interrupt after 160 sequences (a checkpoint boundary), then continue to 400 with another thread count.
        TrainingSession.Start(split, Tiny(400) with { MaxSequences = 160 }).Run();
        // Simulate lines written after the checkpoint by a run that was killed: they must be dropped.
        File.AppendAllText(Path.Combine(split, RunFolder.MetricsFileName), "{\"sequences\": 999}\n");
        var resumed = TrainingSession.Resume(split, maxSequences: 400, threads: 1);
        Assert.Equal(160, resumed.Trainer.SequencesSeen);
        resumed.Run();

        var a = Metrics(whole);
        var b = Metrics(split);
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(10, a.Count);
        for (int i = 0; i < a.Count; i++)
            Assert.Equal(a[i] with { Seconds = 0 }, b[i] with { Seconds = 0 });
        Assert.Equal(ModelFile.Load(Path.Combine(whole, RunFolder.ModelFileName)).Parameters,
                     ModelFile.Load(Path.Combine(split, RunFolder.ModelFileName)).Parameters);
    }

    [Fact]
    public void Starting_a_run_in_a_folder_that_holds_one_is_refused()
    {
        TrainingSession.Start(_dir, Tiny(40));
        var e = Assert.Throws<InvalidConfigurationException>(() => TrainingSession.Start(_dir, Tiny(40)));
        Assert.Contains("already holds a run", e.Message);
    }

    [Fact]
    public void Resume_reports_a_missing_checkpoint_as_a_file_error()
    {
        TrainingSession.Start(_dir, Tiny(40));
        var e = Assert.Throws<InvalidFileException>(() => TrainingSession.Resume(_dir));
        Assert.Contains(RunFolder.CheckpointFileName, e.Message);
    }

    [Fact]
    public void Model_file_round_trips_and_rejects_a_mismatched_configuration()
    {
        Directory.CreateDirectory(_dir);
        var model = NeuralTuringMachine.Create(new NtmConfig { ControllerSize = 7, MemoryRows = 9, MemoryWidth = 5, ReadHeads = 2 }, 4);
        string path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(path, model);
        var back = ModelFile.Load(path);
        Assert.Equal(model.Config, back.Config);
        Assert.Equal(model.Parameters, back.Parameters);

        // Same tensors, but metadata claiming a different memory width: the shapes no longer fit.
        var content = SafeTensorsFile.Read(path);
        var meta = new Dictionary<string, string>(content.Metadata)
        {
            [ModelFile.ConfigKey] = System.Text.Json.JsonSerializer.Serialize(model.Config with { MemoryWidth = 4 }, Json.Compact),
        };
        SafeTensorsFile.Write(path, content.Tensors, meta);
        var e = Assert.Throws<InvalidFileException>(() => ModelFile.Load(path));
        Assert.Contains("shape", e.Message);
    }

    private static List<MetricsLine> Metrics(string dir) =>
        File.ReadAllLines(Path.Combine(dir, RunFolder.MetricsFileName))
            .Select(l => Json.Parse<MetricsLine>(l, "metrics", "line")).ToList();
}

public sealed class OptimizerTests
{
    [Fact]
    public void RmsProp_follows_Graves_2013()
    {
        var opt = new RmsPropOptimizer(1, 0.1f);
        float[] w = [1f];
        opt.Update(w, [2f]);
        // n = 0.05 * 4 = 0.2; g = 0.05 * 2 = 0.1; d = -0.1 * 2 / sqrt(0.2 - 0.01 + 1e-4) = -0.2 / 0.436005 = -0.458711
        Assert.Equal(1f - 0.458711f, w[0], 5);
        opt.Update(w, [0f]);
        // n = 0.19, g = 0.095, d = 0.9 * -0.458711 - 0 = -0.412840
        Assert.Equal(1f - 0.458711f - 0.412840f, w[0], 5);
    }

    [Fact]
    public void Adam_first_step_moves_by_the_learning_rate()
    {
        var opt = new AdamOptimizer(2, 0.01f);
        float[] w = [0f, 0f];
        opt.Update(w, [3f, -0.5f]);
        // After bias correction m/sqrt(v) = g/|g|, so each parameter moves by lr against its gradient's sign.
        Assert.Equal(-0.01f, w[0], 6);
        Assert.Equal(0.01f, w[1], 6);
    }

    [Fact]
    public void Clipping_by_value_and_by_norm()
    {
        float[] g = [30f, -40f, 5f];
        GradientClipping.ClipElements(g, 10f);
        Assert.Equal([10f, -10f, 5f], g);
        float[] h = [3f, 4f];
        Assert.Equal(5f, GradientClipping.ClipGlobalNorm(h, 1f));
        Assert.Equal(0.6f, h[0], 6);
        Assert.Equal(0.8f, h[1], 6);
    }

    [Fact]
    public void A_nonpositive_learning_rate_is_refused()
    {
        Assert.Throws<InvalidConfigurationException>(() => Optimizer.Create(OptimizerKind.Adam, 3, 0f));
        Assert.Throws<InvalidConfigurationException>(() => Optimizer.Create(OptimizerKind.RmsProp, 3, float.NaN));
    }
}
