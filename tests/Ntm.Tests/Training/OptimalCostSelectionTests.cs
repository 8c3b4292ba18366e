using System.Globalization;
using System.Text.Json;
using Ntm.Io;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

/// <summary>A task with a known floor reports that floor beside its evaluation cost, and a run keeps the weights closest to it.</summary>
public sealed class OptimalCostSelectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-floor-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static RunSettings TinyNGrams(long maxSequences) => new()
    {
        Task = "dynamic-ngrams",
        TaskSettings = new() { ["length"] = "24", ["context"] = "2" },
        Model = new NtmConfig { ControllerSize = 10, MemoryRows = 8, MemoryWidth = 5 },
        Trainer = new TrainerOptions { BatchSize = 2, Shards = 1, Threads = 1, Seed = 5, LearningRate = 3e-3f },
        ModelSeed = 5,
        MaxSequences = maxSequences,
        ReportEvery = 20,
        EvalBatches = 2,
        EvalBatchSize = 3,
        CheckpointEvery = 0,
        StopWhenConverged = false,
    };

    [Fact]
    public void Evaluate_gives_the_optimal_cost_of_the_same_sequences()
    {
        var task = new DynamicNGramsTask(length: 30, context: 3);
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 1, OutputSize = 1, ControllerSize = 8, MemoryRows = 6, MemoryWidth = 4 }, 1);

        EvaluationResult scores = Evaluation.Run(model, task.Sample, 12, 4, new Rng(11), task);
        double? optimal = scores.OptimalCostBits;

        var rng = new Rng(11);
        double expected = 0;
        for (int i = 0; i < 3; i++) expected += task.OptimalCost(task.Sample(rng, 4)).Sum();
        Assert.Equal(12, scores.SequenceCostBits.Count);
        Assert.NotNull(optimal);
        Assert.Equal(expected / 12, optimal!.Value, 12);
        Assert.Equal(scores.CostBits, Evaluation.Run(model, task.Sample, 12, 4, new Rng(11)).CostBits);
    }

    [Fact]
    public void A_task_without_a_floor_has_no_optimal_cost_and_writes_none()
    {
        var task = new CopyTask(bits: 3, maxLength: 3);
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 4, OutputSize = 3, ControllerSize = 8, MemoryRows = 6, MemoryWidth = 4 }, 1);
        EvaluationResult scores = Evaluation.Run(model, task.Sample, 2, 2, new Rng(1), (ISequenceTask)task as IOptimalCostTask);
        Assert.Null(scores.OptimalCostBits);
        Assert.Null(scores.GapBits);
        Assert.Null(scores.GapStandardErrorBits);

        string line = JsonSerializer.Serialize(new MetricsLine(10, 1, 5, 2, 4, 1), Json.Compact);
        Assert.DoesNotContain("optimal", line);
        Assert.DoesNotContain("selection", line);
        Assert.Equal(4, new MetricsLine(10, 1, 5, 2, 4, 1).SelectionCostBits);
    }

    [Fact]
    public void An_ngram_run_records_the_floor_and_keeps_the_weights_closest_to_it()
    {
        string run = Path.Combine(_dir, "ng");
        TrainingSession.Start(run, TinyNGrams(200)).Run();

        string[] raw = File.ReadAllLines(Path.Combine(run, RunFolder.MetricsFileName));
        Assert.All(raw, l => Assert.Contains("\"eval_optimal_cost_bits\":", l));
        IReadOnlyList<MetricsLine> metrics = RunFolder.Open(run).ReadMetrics();
        Assert.Equal(10, metrics.Count);
        foreach (MetricsLine m in metrics)
        {
            Assert.InRange(m.EvalOptimalCostBits!.Value, 1, 23);
            Assert.Equal(m.EvalCostBits!.Value - m.EvalOptimalCostBits.Value, m.SelectionCostBits, 12);
        }

        // The best weights are those of the report with the smallest gap to the floor, which in this
        // run is not the report with the lowest raw cost (so selecting on the raw cost would fail here).
        MetricsLine best = metrics.MinBy(m => m.SelectionCostBits)!;
        Assert.NotEqual(metrics.MinBy(m => m.EvalCostBits)!.Sequences, best.Sequences);
        var content = SafeTensorsFile.Read(Path.Combine(run, RunFolder.BestModelFileName));
        Assert.Equal(best.Sequences.ToString(CultureInfo.InvariantCulture), content.Metadata["ntm.sequences"]);
    }

    [Fact]
    public void Generalization_gives_the_gap_and_its_standard_error()
    {
        var task = new DynamicNGramsTask(length: 20, context: 2);
        var model = NeuralTuringMachine.Create(new NtmConfig { InputSize = 1, OutputSize = 1, ControllerSize = 8, MemoryRows = 6, MemoryWidth = 4 }, 3);
        const int count = 40;    // more than one chunk

        GeneralizationRow row = Assert.Single(Generalization.Run(model, task, count, seed: 21));

        var rng = new Rng(21);
        var gaps = new List<double>();
        for (int done = 0; done < count; done += Generalization.ChunkSize)
        {
            SequenceBatch batch = task.Sample(rng, Math.Min(Generalization.ChunkSize, count - done));
            double[] cost = model.Evaluate(batch).CostBits, best = task.OptimalCost(batch);
            gaps.AddRange(cost.Zip(best, (c, b) => c - b));
        }
        double mean = gaps.Average();
        double se = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (count - 1) / count);
        Assert.Equal(mean, row.Score.GapBits!.Value, 9);
        Assert.Equal(row.Score.CostBits - row.Score.OptimalCostBits!.Value, row.Score.GapBits.Value, 9);
        Assert.Equal(se, row.Score.GapStandardErrorBits!.Value, 9);
        Assert.True(se > 0);
    }
}
