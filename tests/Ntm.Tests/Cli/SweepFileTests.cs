using System.Text;
using Ntm.Cli.Commands;
using Ntm.Cli.Sweeps;
using Xunit;

namespace Ntm.Tests.Cli;

/// <summary>Sweep files: their errors, the order and ids of their trials, and where a trial's number comes from.</summary>
public sealed class SweepFileTests
{
    private static SweepFile Parse(string json) => SweepFile.Parse(Encoding.UTF8.GetBytes(json), "sweeps/s.json");

    private static string ErrorOf(string json)
    {
        var e = Assert.Throws<InvalidFileException>(() => Parse(json));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("sweeps/s.json: ", e.Message);
        return e.Message;
    }

    [Theory]
    // What is wrong, the line it is on, the field named (null: a JSON syntax error names no field).
    [InlineData("{\n  \"tasks\": [\"copy\",]\n  \"seeds\": [1]\n}", 3, null)]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"seedz\": [1]\n}", 3, "seedz")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"seeds\": [1,\n    \"two\"]\n}", 4, "seeds[1]")]
    [InlineData("{\n  \"tasks\": [\"copy\", \"kopy\"]\n}", 2, "tasks[1]")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"models\": [\"ntm-lstm\", \"gru\"]\n}", 3, "models[1]")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"memory_rows\": [0]\n}", 3, "memory_rows[0]")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"seeds\": []\n}", 3, "seeds")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"options\": {\n    \"sequences\": 100,\n    \"learning-rate\": 0.1\n  }\n}", 5, "options.learning-rate")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"options\": {\n    \"seed\": 3\n  }\n}", 4, "options.seed")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"options\": {\n    \"lr-decay\": 10,\n    \"lr\": [0.001, \"fast\"]\n  }\n}", 5, "options.lr")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"options\": {\n    \"sequences\": 0\n  }\n}", 4, "options.sequences")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"options\": {\n    \"sequences\": 10,\n    \"optimizer\": \"sgd\"\n  }\n}", 5, "options.optimizer")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"set\": {\n    \"max-length\": 4,\n    \"max-repeats\": 2\n  }\n}", 5, "set.max-repeats")]
    [InlineData("{\n  \"tasks\": [\n    \"copy\",\n    {\"name\": \"x\"}\n  ]\n}", 4, "tasks[1]")]
    [InlineData("{\n  \"tasks\": [\n    \"copy\",\n    {\"task\": \"copy\"}\n  ]\n}", 4, "tasks[1]")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"after\": {\n    \"eval\": {\"lenght\": 20}\n  }\n}", 4, "after.eval.lenght")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"after\": {\n    \"limits\": {\"count\": 10,\n      \"memory-rows\": [64, 0]}\n  }\n}", 5, "after.limits.memory-rows")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"after\": {\n    \"eval\": {\"json\": true}\n  }\n}", 4, "after.eval.json")]
    [InlineData("{\n  \"tasks\": [\"copy\"],\n  \"after\": {\n    \"show\": {}\n  }\n}", 4, "after.show")]
    public void A_bad_file_is_one_line_naming_the_line_and_the_field(string json, int line, string? field)
    {
        string message = ErrorOf(json);
        Assert.Contains($"line {line}:", message);
        if (field is not null) Assert.Contains($"field \"{field}\":", message);
        else Assert.Contains("not valid JSON", message);
    }

    [Fact]
    public void A_file_without_tasks_or_not_an_object_says_so()
    {
        Assert.Contains("\"tasks\" is missing", ErrorOf("{ \"seeds\": [1] }"));
        Assert.Contains("expected a JSON object", ErrorOf("[\"copy\"]"));
    }

    [Fact]
    public void Trials_are_the_cross_product_in_the_documented_order()
    {
        SweepFile sweep = Parse("""
            {
              // comments and trailing commas are allowed
              "out": "runs/x",
              "tasks": ["copy", { "task": "repeat-copy", "name": "rc", "seeds": [7], "set": { "max-repeats": 3 } }],
              "models": ["ntm-lstm", "ntm-feedforward"],
              "seeds": [1, 2],
              "memory_rows": [8, 16],
              "options": { "sequences": 100, "lr": [1e-4, 3e-5], "batch-size": 2, "optimizer": ["rmsprop", "adam"] },
              "set": { "max-length": 4 },
              "after": { "eval": { "count": 10 }, "limits": { "memory-rows": [8, 32] } },
            }
            """);
        Assert.Equal("runs/x", sweep.OutDirectory);
        // copy: 2 models x 2 seeds x 2 sizes x 2 rates x 2 optimisers; rc: 2 models x 1 seed x 2 x 2 x 2.
        Assert.Equal(32 + 16, sweep.Trials.Count);
        Assert.Equal(Enumerable.Range(0, sweep.Trials.Count), sweep.Trials.Select(t => t.Index));
        Assert.Equal(
        [
            "copy-ntm-lstm-seed1-rows8-lr1e-4-optimizer-rmsprop",
            "copy-ntm-lstm-seed1-rows8-lr1e-4-optimizer-adam",
            "copy-ntm-lstm-seed1-rows8-lr3e-5-optimizer-rmsprop",
            "copy-ntm-lstm-seed1-rows8-lr3e-5-optimizer-adam",
            "copy-ntm-lstm-seed1-rows16-lr1e-4-optimizer-rmsprop",
        ], sweep.Trials.Take(5).Select(t => t.Id));
        Assert.Equal("copy-ntm-lstm-seed2-rows8-lr1e-4-optimizer-rmsprop", sweep.Trials[8].Id);
        Assert.Equal("copy-ntm-ff-seed1-rows8-lr1e-4-optimizer-rmsprop", sweep.Trials[16].Id);   // the canonical spelling
        Assert.Equal("rc-ntm-lstm-seed7-rows8-lr1e-4-optimizer-rmsprop", sweep.Trials[32].Id);
        Assert.Equal("rc-ntm-ff-seed7-rows16-lr3e-5-optimizer-adam", sweep.Trials[^1].Id);
        Assert.Equal(sweep.Trials.Count, sweep.Trials.Select(t => t.Id).Distinct().Count());

        SweepTrial t = sweep.Trials[33];
        Assert.Equal("repeat-copy", t.Task);
        Assert.Equal(
        [
            "repeat-copy", "--model", "ntm-lstm", "--seed", "7", "--memory-rows", "8",
            "--sequences", "100", "--lr", "1e-4", "--batch-size", "2", "--optimizer", "adam",
            "--set", "max-length=4", "--set", "max-repeats=3",
        ], t.TrainArguments);
        Assert.Equal(["eval", "limits"], t.After.Select(s => s.Command));
        Assert.Equal(["--memory-rows", "8", "32"], t.After[1].Arguments);
        Assert.Equal("limits.json", t.After[1].FileName);
    }

    [Fact]
    public void Defaults_are_one_ntm_lstm_seed_1_and_the_folder_named_after_the_file()
    {
        SweepFile sweep = Parse("""{ "tasks": "copy" }""");
        SweepTrial t = Assert.Single(sweep.Trials);
        Assert.Equal("copy-ntm-lstm-seed1", t.Id);
        Assert.Null(t.MemoryRows);
        Assert.Empty(t.After);
        Assert.Equal(Path.Combine("runs", "s"), sweep.OutDirectory);
        Assert.Equal(Path.Combine("elsewhere", "copy-ntm-lstm-seed1"), SweepFile.Parse("""{ "tasks": "copy" }"""u8, "s.json", "elsewhere").Folder(t).Directory);
    }

    [Fact]
    public void Two_blocks_that_give_the_same_ids_are_refused()
    {
        string message = ErrorOf("""{ "tasks": ["copy", { "task": "copy", "options": { "sequences": 5 } }] }""");
        Assert.Contains("\"copy-ntm-lstm-seed1\" is also trial 0's", message);
        Assert.Contains("\"name\"", message);
    }

    [Fact]
    public void A_missing_trial_number_is_an_error_naming_the_range()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => Parse("""{ "tasks": "copy", "seeds": [1, 2] }""").Trial(2));
        Assert.Contains("numbered 0 to 1", e.Message);
    }

    [Fact]
    public void The_trial_number_comes_from_slurm_first_then_kubernetes()
    {
        Func<string, string?> Env(params (string Name, string Value)[] vars) => n => vars.FirstOrDefault(v => v.Name == n).Value;
        Assert.Null(SweepCommand.IndexFromEnvironment(Env()));
        Assert.Equal((3, "SLURM_ARRAY_TASK_ID"), SweepCommand.IndexFromEnvironment(Env(("SLURM_ARRAY_TASK_ID", "3"))));
        Assert.Equal((5, "JOB_COMPLETION_INDEX"), SweepCommand.IndexFromEnvironment(Env(("JOB_COMPLETION_INDEX", "5"))));
        Assert.Equal((3, "SLURM_ARRAY_TASK_ID"), SweepCommand.IndexFromEnvironment(Env(("JOB_COMPLETION_INDEX", "5"), ("SLURM_ARRAY_TASK_ID", "3"))));
        Assert.Equal((5, "JOB_COMPLETION_INDEX"), SweepCommand.IndexFromEnvironment(Env(("SLURM_ARRAY_TASK_ID", ""), ("JOB_COMPLETION_INDEX", "5"))));
        var e = Assert.Throws<InvalidConfigurationException>(() => SweepCommand.IndexFromEnvironment(Env(("SLURM_ARRAY_TASK_ID", "-1"))));
        Assert.Contains("SLURM_ARRAY_TASK_ID", e.Message);
    }

    [Theory]
    [InlineData("4", new[] { 4 })]
    [InlineData("2-5", new[] { 2, 3, 4, 5 })]
    [InlineData("0,3,5-7,3", new[] { 0, 3, 5, 6, 7 })]
    [InlineData("5-2", null)]
    [InlineData("a-b", null)]
    [InlineData("1,,2", null)]
    [InlineData("-3", null)]
    public void Trial_lists_read_ranges_and_lists(string text, int[]? expected)
        => Assert.Equal(expected?.ToList(), SweepCommand.ParseTrials(text));
}
