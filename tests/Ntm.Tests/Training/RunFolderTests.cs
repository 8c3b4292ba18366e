using System.Text;
using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Tests.Io;
using Ntm.Tests.Viz;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

public sealed class RunFolderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A finished tiny copy run of 80 sequences (two reports, one checkpoint at the end).</summary>
    private string TrainedRun(string name = "run")
    {
        string run = _dir.File(name);
        TrainingSession.Start(run, TrainingTests.Tiny(80)).Run();
        return run;
    }

    [Fact]
    public void Open_says_what_is_missing_in_one_line()
    {
        string missing = _dir.File("nowhere");
        var e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(missing));
        Assert.Equal(missing + ": no such folder.", e.Message);

        string empty = _dir.File("empty");
        Directory.CreateDirectory(empty);
        e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(empty));
        Assert.Equal(empty + ": not a run folder: it has no config.json.", e.Message);

        File.WriteAllText(Path.Combine(empty, RunFolder.ConfigFileName), "{\"task\": ");
        e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(empty));
        Assert.StartsWith(Path.Combine(empty, RunFolder.ConfigFileName) + ": the run configuration is not valid", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_run_that_has_not_trained_has_no_model_or_best_weights_yet()
    {
        string run = _dir.File("started");
        TrainingSession.Start(run, TrainingTests.Tiny(80));
        RunFolder folder = RunFolder.Open(run);
        Assert.Equal("copy", folder.Settings.Task);
        Assert.Empty(folder.ReadMetrics());

        var e = Assert.Throws<InvalidFileException>(() => folder.LoadModel());
        Assert.Equal(folder.ModelPath, e.Path);
        Assert.Contains("not written yet", e.Message);
        e = Assert.Throws<InvalidFileException>(() => folder.LoadModel(best: true));
        Assert.Equal(folder.BestModelPath, e.Path);
        Assert.Contains("not written yet", e.Message);
    }

    [Fact]
    public void A_trained_run_loads_its_machine_task_metrics_and_checkpoint()
    {
        string run = _dir.File("run");
        TrainingSession session = TrainingSession.Start(run, TrainingTests.Tiny(80));
        session.Run();

        RunFolder folder = RunFolder.Open(run);
        Assert.Equal(session.Settings, folder.Settings with { TaskSettings = session.Settings.TaskSettings });
        Assert.Equal(session.Settings.TaskSettings, folder.Settings.TaskSettings);
        Assert.Equal(session.Model.Parameters, folder.LoadModel().Parameters);
        Assert.Equal(session.Model.Config, folder.LoadModel(best: true).Config);
        Assert.Equal(session.Metrics, folder.ReadMetrics());
        Assert.Equal(4, folder.Task.OutputSize);

        Checkpoint checkpoint = folder.ReadCheckpoint();
        Assert.Equal(session.Model.Parameters, checkpoint.Parameters);
        Assert.Equal(80, checkpoint.Sequences);
        Assert.Equal(2, checkpoint.MetricsLines);
        Assert.Equal(session.Trainer.DataRng.GetState(), checkpoint.DataRng.GetState());
        Assert.Equal(session.Trainer.Optimizer.State.Select(s => s.Name).Order(), checkpoint.OptimizerState.Select(s => s.Name).Order());
    }

    [Fact]
    public void A_model_of_other_widths_than_the_task_is_refused()
    {
        string run = TrainedRun();
        RunFolder folder = RunFolder.Open(run);
        ModelFile.Save(folder.ModelPath, NeuralTuringMachine.Create(new NtmConfig { InputSize = 9, OutputSize = 8, ControllerSize = 4, MemoryRows = 4, MemoryWidth = 3 }, 1));
        var e = Assert.Throws<InvalidFileException>(() => folder.LoadModel());
        Assert.Contains("do not match task 'copy'", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_machine_is_refused()
    {
        string run = TrainedRun();
        string config = Path.Combine(run, RunFolder.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"memory_rows\": 10", "\"memory_rows\": 11"));
        var e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(run).ReadCheckpoint());
        Assert.Contains("does not match config.json", e.Message);
    }

    [Fact]
    public void TaskWithLength_fixes_the_length_of_tasks_whose_axis_is_a_length_only()
    {
        RunFolder folder = RunFolder.Open(TrainedRun());
        ISequenceTask task = folder.TaskWithLength(3);
        Assert.Equal(2 * 3 + 1, task.Sample(new Numerics.Rng(1), 2).Steps);
        Assert.Equal(folder.Task.InputSize, task.InputSize);

        string ngrams = _dir.File("ngrams");
        TrainingSession.Start(ngrams, TrainingTests.Tiny(40) with { Task = "dynamic-ngrams", TaskSettings = new() { ["length"] = "10" } });
        Assert.Equal(11, RunFolder.Open(ngrams).TaskWithLength(12).Sample(new Numerics.Rng(1), 1).Steps);   // its axis is the sequence length: 12 bits, 11 predictions

        string recall = _dir.File("recall");
        TrainingSession.Start(recall, TrainingTests.Tiny(40) with { Task = "associative-recall", TaskSettings = new() });
        var e = Assert.Throws<InvalidConfigurationException>(() => RunFolder.Open(recall).TaskWithLength(3));
        Assert.Contains("no sequence length", e.Message);
    }

    [Fact]
    public void Metrics_lines_round_trip_in_the_format_training_writes()
    {
        string run = _dir.File("metrics");
        TrainingSession.Start(run, TrainingTests.Tiny(80));
        RunFolder folder = RunFolder.Open(run);
        var plain = new MetricsLine(1000, 1.336, 80.03555322394395, 34.231, 49.08319999415342, 18.95);
        var floor = new MetricsLine(2000, 2.5, 29.2, 15.5, 29.11, 15.37, 25.45);
        var solved = new MetricsLine(3000, 3.75, 0.5, 0.01, 0.02, 0, SolvedCheckBitErrors: 0.004, SolvedConfirmBitErrors: 0);
        var failed = new MetricsLine(4000, 5, 0.5, 0.01, 0.02, 0, SolvedCheckBitErrors: 0.37);
        folder.AppendMetrics(plain);
        folder.AppendMetrics(floor);
        folder.AppendMetrics(solved);
        folder.AppendMetrics(failed);

        Assert.Equal(new[] { plain, floor, solved, failed }, folder.ReadMetrics());
        byte[] bytes = File.ReadAllBytes(folder.MetricsPath);
        Assert.Equal(
            "{\"sequences\":1000,\"seconds\":1.336,\"train_cost_bits\":80.03555322394395,\"train_bit_errors\":34.231,\"eval_cost_bits\":49.08319999415342,\"eval_bit_errors\":18.95}\n" +
            "{\"sequences\":2000,\"seconds\":2.5,\"train_cost_bits\":29.2,\"train_bit_errors\":15.5,\"eval_cost_bits\":29.11,\"eval_bit_errors\":15.37,\"eval_optimal_cost_bits\":25.45}\n" +
            "{\"sequences\":3000,\"seconds\":3.75,\"train_cost_bits\":0.5,\"train_bit_errors\":0.01,\"eval_cost_bits\":0.02,\"eval_bit_errors\":0,\"solved_check_bit_errors\":0.004,\"solved_confirm_bit_errors\":0}\n" +
            "{\"sequences\":4000,\"seconds\":5,\"train_cost_bits\":0.5,\"train_bit_errors\":0.01,\"eval_cost_bits\":0.02,\"eval_bit_errors\":0,\"solved_check_bit_errors\":0.37}\n",
            Encoding.UTF8.GetString(bytes));
        Assert.Equal((byte)'{', bytes[0]);   // no byte-order mark
    }

    [Fact]
    public void Metrics_lines_keep_nulls_and_ignore_unknown_fields()
    {
        string metrics = _dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, [CurvePlotsTests.Line1, CurvePlotsTests.Line2, CurvePlotsTests.Line3]);

        var records = RunFolder.ReadMetricsFile(metrics);

        Assert.Equal(3, records.Count);
        Assert.Equal(new MetricsLine(1000, 2.5, 60.1, null, 58.0, 20.5), records[0]);
        Assert.Equal(new MetricsLine(2000, 5.0, 12.0, null, null, null), records[1]);
        Assert.Equal(0.0, records[2].EvalBitErrors);
        Assert.Equal(double.PositiveInfinity, records[1].SelectionCostBits);
    }

    [Theory]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5", "line 3: not valid JSON")]
    [InlineData("[1, 2]", "line 3: expected a JSON object")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: missing field \"train_cost_bits\"")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: missing field \"eval_cost_bits\"")]
    [InlineData("{\"sequences\": \"3000\", \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"sequences\" must be a number")]
    [InlineData("{\"sequences\": 3000.5, \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"sequences\" must be a whole number")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": null, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"train_cost_bits\" must be a number")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": -1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"train_cost_bits\" must not be negative")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": 1, \"train_bit_errors\": \"x\", \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"train_bit_errors\" must be a number or null")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0, \"solved_check_bit_errors\": -0.5}", "line 3: field \"solved_check_bit_errors\" must not be negative")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0, \"solved_confirm_bit_errors\": true}", "line 3: field \"solved_confirm_bit_errors\" must be a number or null")]
    [InlineData("   ", "line 3: empty line")]
    public void A_malformed_metrics_line_is_named_by_its_number(string badLine, string expected)
    {
        string metrics = _dir.File("metrics.jsonl");
        File.WriteAllLines(metrics, [CurvePlotsTests.Line1, CurvePlotsTests.Line2, badLine, CurvePlotsTests.Line3]);

        var error = Assert.Throws<InvalidFileException>(() => RunFolder.ReadMetricsFile(metrics));

        Assert.Equal(metrics, error.Path);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Reading_a_missing_metrics_file_names_it()
    {
        string metrics = _dir.File("none.jsonl");
        var error = Assert.Throws<InvalidFileException>(() => RunFolder.ReadMetricsFile(metrics));
        Assert.Equal(metrics + ": file not found.", error.Message);
    }

    [Fact]
    public void Keeping_more_metrics_lines_than_the_file_has_is_refused()
    {
        RunFolder folder = RunFolder.Open(TrainedRun());
        var e = Assert.Throws<InvalidFileException>(() => folder.KeepMetrics(3));
        Assert.Contains("has 2 lines but the checkpoint was written after 3", e.Message);

        File.AppendAllText(folder.MetricsPath, "{\"partial");   // a line cut off by a kill
        Assert.Single(folder.KeepMetrics(1));
        Assert.Single(File.ReadAllLines(folder.MetricsPath));
    }

    [Fact]
    public void A_write_that_dies_midway_leaves_the_previous_checkpoint_whole()
    {
        string run = TrainedRun();
        RunFolder folder = RunFolder.Open(run);
        byte[] before = File.ReadAllBytes(folder.CheckpointPath);

        // The checkpoint is being replaced when the write fails half-way (disk full, a kill): the old file stays.
        Assert.Throws<IOException>(() => AtomicFile.Write(folder.CheckpointPath, stream =>
        {
            stream.Write(before, 0, before.Length / 2);
            throw new IOException("No space left on device");
        }));
        Assert.Equal(before, File.ReadAllBytes(folder.CheckpointPath));
        Assert.DoesNotContain(Directory.GetFiles(run), f => f.EndsWith(".tmp", StringComparison.Ordinal));

        // A process killed mid-write leaves its temporary file behind; the run still resumes from the old checkpoint.
        File.WriteAllBytes(Path.Combine(run, "." + RunFolder.CheckpointFileName + ".123.0.tmp"), before[..(before.Length / 3)]);
        TrainingSession resumed = TrainingSession.Resume(run, maxSequences: 120);
        Assert.Equal(80, resumed.Trainer.SequencesSeen);
        resumed.Run();
        Assert.Equal(120, RunFolder.Open(run).ReadCheckpoint().Sequences);
    }
}
