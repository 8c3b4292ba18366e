using System.Text.Json;
using Xunit;

namespace Ntm.Tests.Cli;

/// <summary>The command line lists and writes the one canonical spelling of every choice, and still accepts its older aliases.</summary>
public sealed class SpellingCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-spelling-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Train_help_lists_the_canonical_spellings_and_every_task_with_its_settings()
    {
        var (exit, stdout, _) = CliProcess.Run("train", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("lstm or feedforward", stdout);
        Assert.Contains("constant, learned or random", stdout);
        Assert.Contains("rmsprop or adam", stdout);
        Assert.Contains("ntm-lstm", stdout);
        Assert.DoesNotContain("rms-prop", stdout);
        Assert.Contains("copy                Copy a sequence of random binary vectors", stdout);
        Assert.Contains("bits [8], min-length [1], max-length [20]", stdout);
        Assert.Contains("path (required)", stdout);
    }

    [Theory]
    [InlineData("--optimizer", "sgd", "error: Unknown optimizer 'sgd'; choose rmsprop or adam.")]
    [InlineData("--controller", "gru", "error: Unknown controller 'gru'; choose lstm or feedforward.")]
    [InlineData("--memory-init", "zero", "error: Unknown memory initialisation 'zero'; choose constant, learned or random.")]
    [InlineData("--model", "ntm", "error: Unknown model 'ntm'; choose ntm-lstm, ntm-ff or lstm.")]
    public void An_unknown_choice_lists_the_canonical_spellings(string option, string value, string error)
    {
        var (exit, _, stderr) = CliProcess.Run("train", "copy", option, value, "--out", Path.Combine(_dir, "x"));
        Assert.Equal(1, exit);
        Assert.Equal(error, stderr.Trim());
    }

    [Fact]
    public void Aliases_are_accepted_and_the_run_is_written_in_the_canonical_spelling()
    {
        string run = Path.Combine(_dir, "ff");
        var (exit, _, stderr) = CliProcess.Run(["train", "copy", "--model", "ntm-feedforward", "--controller", "feed-forward", "--optimizer", "RMSPROP",
            "--memory-init", "learned", "--sequences", "8", .. CliProcess.Tiny, "--out", run]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Training ntm-ff on copy", stderr);
        string text = File.ReadAllText(Path.Combine(run, "config.json"));
        using var config = JsonDocument.Parse(text);
        Assert.Equal("feedforward", config.RootElement.GetProperty("model").GetProperty("controller").GetString());
        Assert.Equal("learned", config.RootElement.GetProperty("model").GetProperty("memory_init").GetString());
        Assert.Equal("rmsprop", config.RootElement.GetProperty("trainer").GetProperty("optimizer").GetString());

        (exit, _, stderr) = CliProcess.Run(["train", "copy", "--controller", "ff", "--sequences", "8", .. CliProcess.Tiny, "--out", Path.Combine(_dir, "ff2")]);
        Assert.True(exit == 0, stderr);
    }
}
