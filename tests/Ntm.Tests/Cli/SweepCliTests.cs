using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Ntm.Tests.Cli;

/// <summary><c>ntm sweep</c> through the command line: idempotent runs, resuming, the trial number from a scheduler, collecting.</summary>
public sealed class SweepCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-sweep-" + Guid.NewGuid().ToString("N"));

    /// <summary>No scheduler's trial number leaks in from the environment the tests run in.</summary>
    private static readonly Dictionary<string, string?> NoScheduler = new() { ["SLURM_ARRAY_TASK_ID"] = null, ["JOB_COMPLETION_INDEX"] = null };

    public SweepCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Out => Path.Combine(_dir, "out");

    /// <summary>Writes a sweep of tiny copy runs (one per seed) with eval and generalize after training; returns its path.</summary>
    private string TinySweep(int sequences = 200, int[]? seeds = null, int checkpointEvery = 10_000)
    {
        string path = Path.Combine(_dir, "sweep.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["out"] = Out,
            ["tasks"] = new[] { "copy" },
            ["seeds"] = seeds ?? [1],
            ["memory_rows"] = new[] { 10 },
            ["options"] = new Dictionary<string, object>
            {
                ["sequences"] = sequences, ["controller-size"] = 12, ["memory-width"] = 6, ["batch-size"] = 4, ["report-every"] = 40,
                ["checkpoint-every"] = checkpointEvery,
            },
            ["set"] = new Dictionary<string, object> { ["bits"] = 4, ["max-length"] = 4 },
            ["after"] = new Dictionary<string, object> { ["eval"] = new { count = 10 }, ["generalize"] = new { count = 4 } },
        }));
        return path;
    }

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>The metrics lines without their wall-clock seconds.</summary>
    private static List<string> MetricsWithoutSeconds(string run) => File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l =>
    {
        var o = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(l)!;
        o.Remove("seconds");
        return JsonSerializer.Serialize(o);
    }).ToList();

    [Fact]
    public void A_finished_trial_is_skipped_and_a_deleted_output_is_made_again()
    {
        string sweep = TinySweep();
        var (exit, stdout, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0");
        Assert.True(exit == 0, stderr);
        Assert.Contains("trial 0 copy-ntm-lstm-seed1-rows10: finished:", stdout);
        string trial = Path.Combine(Out, "copy-ntm-lstm-seed1-rows10");
        string[] outputs = ["trial.json", "train.json", "eval.json", "generalize.json", "run/config.json", "run/metrics.jsonl", "run/model.safetensors"];
        foreach (string f in outputs) Assert.True(File.Exists(Path.Combine(trial, f)), $"{f} missing");
        var before = outputs.ToDictionary(f => f, f => (Sha(Path.Combine(trial, f)), File.GetLastWriteTimeUtc(Path.Combine(trial, f))));

        // Again: nothing runs, nothing is written.
        (exit, stdout, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0");
        Assert.True(exit == 0, stderr);
        Assert.Contains("finished already, skipped", stdout);
        Assert.DoesNotContain("ntm train", stderr);
        foreach (string f in outputs) Assert.Equal(before[f], (Sha(Path.Combine(trial, f)), File.GetLastWriteTimeUtc(Path.Combine(trial, f))));

        // A missing post-training output: only that step runs again, and gives the same numbers.
        File.Delete(Path.Combine(trial, "eval.json"));
        (exit, stdout, stderr) = CliProcess.Run("sweep", "plan", sweep);
        Assert.True(exit == 0, stderr);
        Assert.Contains("0 finished, 1 interrupted, 0 not started", stdout);
        (exit, _, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0");
        Assert.True(exit == 0, stderr);
        Assert.Contains("ntm eval --count 10", stderr);
        Assert.DoesNotContain("ntm train", stderr);
        Assert.DoesNotContain("ntm generalize", stderr);
        Assert.Equal(before["eval.json"].Item1, Sha(Path.Combine(trial, "eval.json")));
        Assert.Equal(before["run/model.safetensors"].Item2, File.GetLastWriteTimeUtc(Path.Combine(trial, "run/model.safetensors")));

        // A deleted model: the run resumes from its final checkpoint and writes the same weights.
        File.Delete(Path.Combine(trial, "run/model.safetensors"));
        (exit, _, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0");
        Assert.True(exit == 0, stderr);
        Assert.Contains("resuming at 200 sequences", stderr);
        Assert.Equal(before["run/model.safetensors"].Item1, Sha(Path.Combine(trial, "run/model.safetensors")));
        Assert.Equal(before["run/metrics.jsonl"].Item1, Sha(Path.Combine(trial, "run/metrics.jsonl")));
    }

    [Fact]
    public void A_killed_trial_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_one()
    {
        string sweep = TinySweep(sequences: 3000, checkpointEvery: 80);
        string trial = Path.Combine(Out, "copy-ntm-lstm-seed1-rows10");
        string checkpoint = Path.Combine(trial, "run", "checkpoint.safetensors");
        using (var p = Process.Start(CliProcess.StartInfo("sweep", "run", sweep, "--trial", "0"))!)
        {
            p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(10);
            Assert.False(p.HasExited, "the training ended before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(trial, "run", "model.safetensors")));
        var (exit, stdout, stderr) = CliProcess.Run("sweep", "plan", sweep);
        Assert.True(exit == 0, stderr);
        Assert.Contains("interrupted", stdout);

        (exit, _, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0");
        Assert.True(exit == 0, stderr);
        Assert.Matches(@"resuming at [1-9][\d,]* sequences", stderr);

        // The same trial uninterrupted, into another folder.
        string other = Path.Combine(_dir, "other");
        (exit, _, stderr) = CliProcess.Run("sweep", "run", sweep, "--trial", "0", "--out", other);
        Assert.True(exit == 0, stderr);
        string reference = Path.Combine(other, "copy-ntm-lstm-seed1-rows10");
        Assert.Equal(MetricsWithoutSeconds(Path.Combine(reference, "run")), MetricsWithoutSeconds(Path.Combine(trial, "run")));
        Assert.Equal(Sha(Path.Combine(reference, "run", "model.safetensors")), Sha(Path.Combine(trial, "run", "model.safetensors")));
        Assert.Equal(Sha(Path.Combine(reference, "eval.json")), Sha(Path.Combine(trial, "eval.json")));
    }

    [Fact]
    public void The_trial_number_comes_from_the_scheduler_or_is_a_usage_error()
    {
        string sweep = TinySweep(seeds: [1, 2]);
        var (exit, stdout, stderr) = CliProcess.RunWithEnvironment(new Dictionary<string, string?>(NoScheduler) { ["JOB_COMPLETION_INDEX"] = "1" },
            "sweep", "run", sweep);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Trial 1 from JOB_COMPLETION_INDEX", stderr);
        Assert.Contains("trial 1 copy-ntm-lstm-seed2-rows10: finished:", stdout);
        Assert.False(Directory.Exists(Path.Combine(Out, "copy-ntm-lstm-seed1-rows10")));

        (exit, stdout, stderr) = CliProcess.RunWithEnvironment(new Dictionary<string, string?>(NoScheduler) { ["SLURM_ARRAY_TASK_ID"] = "7" },
            "sweep", "run", sweep);
        Assert.Equal(1, exit);
        Assert.Equal("error: There is no trial 7: " + sweep + " has 2 trials, numbered 0 to 1.", stderr.Trim());

        (exit, stdout, stderr) = CliProcess.RunWithEnvironment(NoScheduler, "sweep", "run", sweep);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: Name the trials to run", line);
        Assert.Contains("SLURM_ARRAY_TASK_ID", line);
    }

    [Fact]
    public void Collect_tables_the_finished_trials_and_names_the_missing_ones()
    {
        string sweep = TinySweep(seeds: [1, 2, 3]);
        var (exit, stdout, stderr) = CliProcess.Run("sweep", "run", sweep, "--trials", "0-1", "--parallel", "2");
        Assert.True(exit == 0, stderr);
        Assert.Contains("trial 0 copy-ntm-lstm-seed1-rows10: finished:", stdout);
        Assert.Contains("trial 1 copy-ntm-lstm-seed2-rows10: finished:", stdout);

        (exit, stdout, stderr) = CliProcess.Run("sweep", "collect", sweep);
        Assert.True(exit == 0, stderr);
        Assert.Contains("2 of 3 trials", stdout);
        Assert.Contains("missing: 2 copy-ntm-lstm-seed3-rows10 (not started)", stdout);
        Assert.Contains("collect: missing trial 2 copy-ntm-lstm-seed3-rows10 (not started)", stderr);

        string[] csv = File.ReadAllLines(Path.Combine(Out, "sweep.csv"));
        Assert.Equal(3, csv.Length);
        string[] header = csv[0].Split(',');
        foreach (string column in new[] { "index", "trial", "task", "model", "seed", "memory_rows", "sequences", "seconds", "solved",
                     "first_solved_sequences", "first_solved_seconds", "final_eval_cost_bits", "final_eval_bit_errors", "eval_cost_bits", "eval_bit_errors",
                     "generalize_length10_bit_errors", "generalize_length120_cost_bits" })
            Assert.Contains(column, header);
        Assert.StartsWith("0,copy-ntm-lstm-seed1-rows10,copy,ntm-lstm,1,10,", csv[1]);
        Assert.StartsWith("1,copy-ntm-lstm-seed2-rows10,copy,ntm-lstm,2,10,", csv[2]);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, "sweep.json")));
        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(200, rows[1].GetProperty("sequences").GetInt64());
        Assert.Equal(header, rows[0].EnumerateObject().Select(p => p.Name));
        Assert.True(File.Exists(Path.Combine(Out, "plots", "learning-copy.png")));
        Assert.True(File.Exists(Path.Combine(Out, "plots", "generalize-copy.png")));
    }
}
