using System.Text.Json;
using Ntm.Cli.Commands;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Tests.Io;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Tasks;

/// <summary>
/// A task defined entirely here, outside the library: output the input sequence reversed. Registered
/// with the catalog, it trains through <see cref="TrainingSession"/>, its run folder opens as the
/// CLI opens it, and it is scored and generalised along its own length axis.
/// </summary>
public sealed class ReverseTask : SequenceTask
{
    /// <summary>The task's name, description and settings.</summary>
    public static TaskDefinition Definition { get; } = new(
        "reverse",
        "Output a sequence of random binary vectors in reverse order after seeing all of it.",
        [
            TaskSetting.Integer("bits", 4, "width of each random vector"),
            TaskSetting.Integer("min-length", 1, "shortest training sequence"),
            TaskSetting.Integer("max-length", 5, "longest training sequence"),
        ],
        s => new ReverseTask(s.Integer("bits"), s.Integer("min-length"), s.Integer("max-length")));

    public ReverseTask(int bits, int minLength, int maxLength)
    {
        if (bits < 1 || minLength < 1 || maxLength < minLength)
            throw new InvalidConfigurationException($"reverse: need bits >= 1 and 1 <= min-length <= max-length, got {bits}, {minLength}, {maxLength}.");
        (Bits, MinLength, MaxLength) = (bits, minLength, maxLength);
    }

    public int Bits { get; }
    public int MinLength { get; }
    public int MaxLength { get; }

    public override string Name => Definition.Name;
    public override int InputSize => Bits + 1;
    public override int OutputSize => Bits;

    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string>
    {
        ["bits"] = TaskSetting.Format(Bits),
        ["min-length"] = TaskSetting.Format(MinLength),
        ["max-length"] = TaskSetting.Format(MaxLength),
    };

    public override TaskAxis Axis => new(TaskAxis.LengthName, "vectors per sequence", 1, MinLength, MaxLength, Make,
        length => new ReverseTask(Bits, length, length));

    public override IReadOnlyList<AxisPoint> GeneralizationPoints => new[] { MaxLength, 2 * MaxLength, 4 * MaxLength }.Select(Axis.Point).ToList();

    public override SequenceBatch Sample(Rng rng, int batchSize) => Make(rng, batchSize, rng.NextInt(MinLength, MaxLength));

    /// <summary>L vectors, a delimiter, then L answer steps whose targets are the vectors last to first.</summary>
    public SequenceBatch Make(Rng rng, int batchSize, int length)
    {
        var batch = new SequenceBatch(2 * length + 1, batchSize, InputSize, OutputSize);
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < length; t++)
                for (int j = 0; j < Bits; j++)
                    batch.Input(t, b)[j] = rng.NextBit() ? 1f : 0f;
            batch.Input(length, b)[Bits] = 1f;
            for (int t = 0; t < length; t++)
            {
                batch.Input(length - 1 - t, b)[..Bits].CopyTo(batch.Target(length + 1 + t, b));
                batch.MaskAt(length + 1 + t, b) = 1f;
            }
        }
        return batch;
    }
}

/// <summary>The catalog is process-wide: tests that register tasks or list every name run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class TaskCatalogCollection
{
    public const string Name = "task catalog";
}

[Collection(TaskCatalogCollection.Name)]
public sealed class ExternalTaskTests
{
    [Fact]
    public void Registering_is_idempotent_thread_safe_and_refuses_a_second_definition_of_a_name()
    {
        Parallel.For(0, 16, _ => TaskCatalog.Register(ReverseTask.Definition));
        TaskCatalog.Register(ReverseTask.Definition);
        Assert.Same(ReverseTask.Definition, Assert.Single(TaskCatalog.Registered, d => d.Name == "reverse"));
        Assert.Same(ReverseTask.Definition, TaskCatalog.Find("Reverse"));
        Assert.Equal(TaskCatalog.BuiltIn, TaskCatalog.All.Take(TaskCatalog.BuiltIn.Count));
        Assert.DoesNotContain("reverse", TaskCatalog.Names);

        var impostor = new TaskDefinition("reverse", "Another task of the same name.", [], _ => new ReverseTask(1, 1, 1));
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Register(impostor));
        Assert.Equal("A different task named 'reverse' is already in the catalog; give the new task another name.", e.Message);
        var copy = new TaskDefinition("copy", "Not the copy task.", [], _ => new ReverseTask(1, 1, 1));
        Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Register(copy));
        Assert.Same(CopyTask.Definition, TaskCatalog.Find("copy"));
    }

    [Fact]
    public void The_task_round_trips_through_its_settings_with_the_catalogs_errors()
    {
        TaskCatalog.Register(ReverseTask.Definition);
        var task = new ReverseTask(3, 2, 6);
        IReadOnlyDictionary<string, string> settings = TaskCatalog.Describe(task);
        Assert.Equal(["bits", "min-length", "max-length"], settings.Keys);
        var again = Assert.IsType<ReverseTask>(TaskCatalog.Create("reverse", settings));
        Assert.Equal(settings, again.Describe());
        BatchAssert.Identical(task.Sample(new Rng(8), 3), again.Sample(new Rng(8), 3));
        Assert.Equal(("4", "5"), (TaskCatalog.Describe(TaskCatalog.Create("reverse"))["bits"], TaskCatalog.Create("reverse").Describe()["max-length"]));

        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("reverse", new Dictionary<string, string> { ["length"] = "3" }));
        Assert.Equal("reverse: unknown setting 'length'; valid settings are bits, min-length, max-length.", e.Message);
        e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("reverse", new Dictionary<string, string> { ["bits"] = "two" }));
        Assert.Equal("reverse: setting 'bits' must be an integer, got 'two'.", e.Message);

        // The batch really is the input reversed.
        SequenceBatch batch = task.Make(new Rng(2), 1, 4);
        for (int t = 0; t < 4; t++)
            Assert.Equal(batch.Input(3 - t, 0)[..3].ToArray(), batch.Target(5 + t, 0).ToArray());
    }

    [Fact]
    public void A_registered_task_trains_opens_evaluates_and_generalises_like_a_built_in_one()
    {
        TaskCatalog.Register(ReverseTask.Definition);
        using var dir = new TempDirectory();
        string run = dir.File("reverse");
        var settings = new RunSettings
        {
            Task = "reverse",
            TaskSettings = new Dictionary<string, string> { ["bits"] = "3", ["max-length"] = "4" },
            Model = new NtmConfig { ControllerSize = 12, MemoryRows = 10, MemoryWidth = 6 },
            Trainer = new TrainerOptions { BatchSize = 4, LearningRate = 1e-3f, Threads = 1, Seed = 3 },
            ModelSeed = 3,
            MaxSequences = 400,
            ReportEvery = 100,
            StopWhenConverged = false,
        };
        TrainingSession session = TrainingSession.Start(run, settings);
        RunSummary summary = session.Run();
        Assert.Equal(400, summary.Sequences);

        foreach (string f in new[] { "config.json", "metrics.jsonl", "model.safetensors", "best.safetensors", "checkpoint.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
        {
            Assert.Equal("reverse", config.RootElement.GetProperty("task").GetString());
            Assert.Equal(["bits=3", "min-length=1", "max-length=4"],
                config.RootElement.GetProperty("task_settings").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"));
        }
        IReadOnlyList<MetricsLine> metrics = RunFolder.Open(run).ReadMetrics();
        Assert.Equal([100L, 200L, 300L, 400L], metrics.Select(m => m.Sequences));
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.TrainCostBits) && m.EvalCostBits is { } e && double.IsFinite(e) && e > 0));

        RunFolder folder = RunFolder.Open(run);
        NeuralTuringMachine model = folder.LoadModel();
        var task = Assert.IsType<ReverseTask>(folder.Task);
        Assert.Equal((3, 1, 4), (task.Bits, task.MinLength, task.MaxLength));
        Assert.Equal((4, 3), (model.Config.InputSize, model.Config.OutputSize));

        EvaluationResult score = Evaluation.Run(model, folder.Task.Sample, 20, Generalization.ChunkSize, new Rng(12345));
        Assert.Equal(20, score.Sequences);
        Assert.True(double.IsFinite(score.CostBits) && score.CostBits > 0);
        Assert.InRange(score.BitErrors, 0, 3 * 4);

        var atSix = Assert.IsType<ReverseTask>(folder.TaskWithLength(6));
        Assert.Equal((6, 6), (atSix.MinLength, atSix.MaxLength));
        EvaluationResult six = Evaluation.Run(model, atSix.Sample, 10, Generalization.ChunkSize, new Rng(1));
        Assert.True(double.IsFinite(six.CostBits));
        Assert.InRange(six.BitErrors, 0, 3 * 6);

        IReadOnlyList<GeneralizationRow> rows = Generalization.Run(model, folder.Task, 10, seed: 5);
        Assert.Equal([4, 8, 16], rows.Select(r => Assert.Single(r.Axis, kv => kv.Key == "length").Value));
        Assert.All(rows, r =>
        {
            Assert.Equal(10, r.Score.Sequences);
            Assert.True(double.IsFinite(r.Score.CostBits) && r.Score.CostBits > 0);
            Assert.Null(r.Score.OptimalCostBits);
        });
        Assert.Equal(["length=4"], task.HardestTrainingPoint.Axis.Select(kv => $"{kv.Key}={kv.Value}"));

        // The checkpoint resumes with the task found by name again.
        TrainingSession resumed = TrainingSession.Resume(run, maxSequences: 500, threads: 1);
        Assert.IsType<ReverseTask>(resumed.Task);
        Assert.Equal(500, resumed.Run().Sequences);
    }
}
