using System.Diagnostics;
using System.Text.Json;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Train_then_eval_writes_the_run_files_and_json()
    {
        string run = Path.Combine(_dir, "run");
        var (exit, stdout, stderr) = CliProcess.Run(["train", "copy", "--sequences", "200", "--out", run, "--seed", "4", .. CliProcess.Tiny]);
        Assert.True(exit == 0, stderr);
        foreach (string f in new[] { "config.json", "metrics.jsonl", "model.safetensors", "checkpoint.safetensors", "best.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        Assert.Contains("copy: ", stdout);
        Assert.Equal((byte)'{', File.ReadAllBytes(Path.Combine(run, "metrics.jsonl"))[0]);   // plain UTF-8, no byte-order mark
        string[] metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(5, metrics.Length);
        using (var line = JsonDocument.Parse(metrics[^1]))
            foreach (string key in new[] { "sequences", "seconds", "train_cost_bits", "eval_cost_bits", "eval_bit_errors" })
                Assert.True(line.RootElement.TryGetProperty(key, out _), $"metrics line lacks {key}");

        (exit, stdout, stderr) = CliProcess.Run("eval", run, "--length", "6", "--count", "30", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("copy", doc.RootElement.GetProperty("task").GetString());
        Assert.Equal(6, doc.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(30, doc.RootElement.GetProperty("sequences").GetInt32());
        Assert.True(doc.RootElement.GetProperty("cost_bits").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("bit_errors").GetDouble() >= 0);

        (exit, stdout, stderr) = CliProcess.Run("generalize", run, "--count", "5", "--json");
        Assert.True(exit == 0, stderr);
        using var gen = JsonDocument.Parse(stdout);
        Assert.Equal([10, 20, 30, 50, 120], gen.RootElement.EnumerateArray().Select(e => e.GetProperty("length").GetInt32()));
        foreach (JsonElement row in gen.RootElement.EnumerateArray())
        {
            // The sequences without a wrong bit: all of them exactly when the mean bit errors are 0.
            double exact = row.GetProperty("exact_fraction").GetDouble();
            Assert.InRange(exact, 0, 1);
            Assert.Equal(row.GetProperty("bit_errors").GetDouble() == 0, exact == 1);
        }

        (exit, stdout, stderr) = CliProcess.Run("eval", run, "--length", "6", "--count", "30");
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"\(\d+ of 30 without a wrong bit\)", stdout);

        // --failures lists the first sequences with a wrong bit, in stream order, with their inputs up to the delimiter.
        (exit, stdout, stderr) = CliProcess.Run("eval", run, "--length", "6", "--count", "30", "--failures", "2", "--json");
        Assert.True(exit == 0, stderr);
        using (var failed = JsonDocument.Parse(stdout))
        {
            int inexact = (int)Math.Round((1 - failed.RootElement.GetProperty("exact_fraction").GetDouble()) * 30);
            Assert.True(inexact > 0, "a 200-sequence copy run should still get some length-6 sequence wrong");
            var list = failed.RootElement.GetProperty("failures").EnumerateArray().ToList();
            Assert.Equal(Math.Min(2, inexact), list.Count);
            Assert.True(list.Select(f => f.GetProperty("index").GetInt32()).SequenceEqual(list.Select(f => f.GetProperty("index").GetInt32()).Order()));
            // The first listed sequence is the first wrong one in the stream: the sequences before it are all right.
            int firstWrong = list[0].GetProperty("index").GetInt32();
            (exit, stdout, stderr) = CliProcess.Run("eval", run, "--length", "6", "--count", $"{firstWrong + 1}", "--json");
            Assert.True(exit == 0, stderr);
            using (var prefix = JsonDocument.Parse(stdout))
                Assert.Equal(firstWrong, (int)Math.Round(prefix.RootElement.GetProperty("exact_fraction").GetDouble() * (firstWrong + 1)));
            foreach (JsonElement f in list)
            {
                Assert.True(f.GetProperty("bit_errors").GetDouble() > 0);
                var inputs = f.GetProperty("inputs").EnumerateArray().ToList();
                Assert.Equal(7, inputs.Count);   // six vectors and the delimiter
                Assert.Equal(1, inputs[^1].EnumerateArray().Last().GetDouble());
            }
        }
        (exit, stdout, stderr) = CliProcess.Run("generalize", run, "--count", "5");
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"\d of 5", stdout);
    }

    [Fact]
    public void An_ngram_run_shows_the_optimal_estimator_beside_every_cost()
    {
        string run = Path.Combine(_dir, "ngrams");
        var (exit, stdout, stderr) = CliProcess.Run("train", "dynamic-ngrams", "--set", "length=30", "--sequences", "40", "--report-every", "20",
            "--controller-size", "12", "--memory-rows", "10", "--memory-width", "6", "--batch-size", "4", "--out", run, "--seed", "2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("optimal predictor", stdout);
        // The last line speaks of the gap, not of a solved rule no prediction can meet.
        Assert.Contains("dynamic-ngrams: trained 40 sequences in ", stdout);
        Assert.Contains("a prediction task, measured by its gap to the optimal predictor), eval ", stdout);
        Assert.DoesNotContain("solved", stdout.Split('\n').Last(l => l.Length > 0));
        foreach (string line in File.ReadAllLines(Path.Combine(run, "metrics.jsonl")))
        {
            using var d = JsonDocument.Parse(line);
            Assert.True(d.RootElement.GetProperty("eval_optimal_cost_bits").GetDouble() > 0);
        }

        (exit, stdout, stderr) = CliProcess.Run("eval", run, "--count", "10", "--json");
        Assert.True(exit == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            double cost = doc.RootElement.GetProperty("cost_bits").GetDouble(), floor = doc.RootElement.GetProperty("optimal_cost_bits").GetDouble();
            Assert.InRange(floor, 4, 29);   // at least the 4 fair coins, at most 1 bit per prediction on average
            Assert.Equal(cost - floor, doc.RootElement.GetProperty("gap_bits").GetDouble(), 9);
            Assert.True(doc.RootElement.GetProperty("gap_standard_error_bits").GetDouble() > 0);
        }

        (exit, stdout, stderr) = CliProcess.Run("generalize", run, "--count", "10", "--json");
        Assert.True(exit == 0, stderr);
        using (var gen = JsonDocument.Parse(stdout))
        {
            JsonElement row = Assert.Single(gen.RootElement.EnumerateArray());
            Assert.False(row.TryGetProperty("exact_fraction", out _));
            Assert.Equal(row.GetProperty("cost_bits").GetDouble() - row.GetProperty("optimal_cost_bits").GetDouble(),
                row.GetProperty("gap_bits").GetDouble(), 9);
            Assert.True(row.GetProperty("gap_standard_error_bits").GetDouble() > 0);
        }

        (exit, stdout, stderr) = CliProcess.Run("generalize", run, "--count", "10");
        Assert.True(exit == 0, stderr);
        Assert.Contains("gap (bits/seq)", stdout);
        Assert.Contains("±", stdout);
        Assert.DoesNotContain("sequences exact", stdout);   // a prediction task is never exact
    }

    [Theory]
    [InlineData(2, "train", "copy", "--batch-size", "0")]
    [InlineData(2, "train", "copy", "--lr", "fast")]
    [InlineData(2, "eval")]
    [InlineData(2, "frobnicate")]
    [InlineData(2, "bench", "--seconds", "0")]
    [InlineData(2, "bench", "--batch-size", "0")]
    [InlineData(2, "bench", "--seconds", "soon")]
    [InlineData(2, "train", "copy", "--batch-size", "many")]
    [InlineData(2, "eval", "somewhere", "--count", "many")]
    [InlineData(1, "train", "nosuchtask")]
    [InlineData(1, "train", "copy", "--optimizer", "sgd")]
    [InlineData(1, "train", "copy", "--set", "max-length")]
    [InlineData(1, "train", "copy", "--set", "colour=blue")]
    [InlineData(1, "eval", "/nonexistent/run")]
    [InlineData(1, "train", "--resume", "/nonexistent/run")]
    public void Bad_input_gives_one_line_and_a_nonzero_exit(int expected, params string[] args)
    {
        string[] full = args[0] == "train" && !args.Contains("--resume") ? [.. args, "--out", Path.Combine(_dir, "x")] : args;
        var (exit, _, stderr) = CliProcess.Run(full);
        Assert.Equal(expected, exit);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void Best_model_is_the_one_with_the_lowest_evaluation_cost_and_eval_can_load_it()
    {
        string run = Path.Combine(_dir, "best");
        var (exit, _, stderr) = CliProcess.Run(["train", "copy", "--sequences", "240", "--no-stop", "--out", run, "--seed", "2", .. CliProcess.Tiny]);
        Assert.True(exit == 0, stderr);
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))
            .Select(l => { using var d = JsonDocument.Parse(l); return (Seq: d.RootElement.GetProperty("sequences").GetInt64(), Cost: d.RootElement.GetProperty("eval_cost_bits").GetDouble()); })
            .ToList();
        var best = metrics.MinBy(m => m.Cost);
        var content = Ntm.Io.SafeTensorsFile.Read(Path.Combine(run, "best.safetensors"));
        Assert.Equal(best.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), content.Metadata["ntm.sequences"]);
        (exit, string stdout, stderr) = CliProcess.Run("eval", run, "--best", "--json", "--count", "10");
        Assert.True(exit == 0, stderr);
        using (JsonDocument.Parse(stdout)) { }
    }

    [Theory]
    [InlineData("dynamic-ngrams", new string[0], 3e-5)]          // the paper's rate for the n-gram NTM
    [InlineData("copy", new string[0], 1e-4)]
    [InlineData("copy", new[] { "--optimizer", "adam" }, 5e-4)]
    [InlineData("copy", new[] { "--lr", "0.002" }, 2e-3)]
    public void Training_uses_the_papers_learning_rate_for_the_task_unless_told_otherwise(string task, string[] extra, double expected)
    {
        string run = Path.Combine(_dir, "lr-" + task + extra.Length);
        var (exit, _, stderr) = CliProcess.Run(["train", task, "--sequences", "2", "--report-every", "2", "--controller-size", "8",
            "--memory-rows", "8", "--memory-width", "4", "--out", run, .. extra]);
        Assert.True(exit == 0, stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(expected, config.RootElement.GetProperty("trainer").GetProperty("learning_rate").GetDouble(), 1e-9);
    }

    [Fact]
    public void Eval_of_a_corrupt_model_file_names_the_file()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, CliProcess.Run(["train", "copy", "--sequences", "40", "--out", run, .. CliProcess.Tiny]).Exit);
        string model = Path.Combine(run, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);
        var (exit, _, stderr) = CliProcess.Run("eval", run);
        Assert.Equal(1, exit);
        Assert.Contains("model.safetensors", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Killing_training_at_any_moment_leaves_a_loadable_checkpoint()
    {
        string run = Path.Combine(_dir, "run");
        var rng = new Random(5);
        for (int attempt = 0; attempt < 4; attempt++)
        {
            string[] args = attempt == 0
                ? ["train", "copy", "--sequences", "1000000", "--no-stop", "--checkpoint-every", "40", "--out", run, .. CliProcess.Tiny]
                : ["train", "--resume", run, "--threads", "1"];
            using var p = Process.Start(CliProcess.StartInfo(args))!;
            string checkpoint = Path.Combine(run, RunFolder.CheckpointFileName);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(20);
            Assert.True(File.Exists(checkpoint), "no checkpoint appeared");
            Thread.Sleep(rng.Next(100, 600));   // checkpoints are written many times a second: the kill lands at a random point
            p.Kill(entireProcessTree: true);
            p.WaitForExit();

            var session = TrainingSession.Resume(run);
            Assert.True(session.Trainer.SequencesSeen > 0);
            Assert.Equal(session.Trainer.SequencesSeen / 40, session.Metrics.Count);
        }
    }
}
