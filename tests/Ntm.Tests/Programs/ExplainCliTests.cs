using System.Text.Json;
using Ntm.Tests.Cli;
using Ntm.Tests.Limits;
using Xunit;

namespace Ntm.Tests.Programs;

/// <summary><c>ntm explain</c> through the command line, on the copy fixture.</summary>
public sealed class ExplainCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ntm-explain-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Explain_prints_the_program_and_writes_its_diagram_and_json()
    {
        string[] quick = ["--count", "40", "--beyond-count", "5", "--traces", "20", "--held-out", "20", "--reach", "100", "--out", _dir];
        var (exit, stdout, stderr) = CliProcess.Run(["explain", Fixture.CopyRun, .. quick]);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("copy: a program of ", stdout);
        Assert.Contains("M[w] := input", stdout);
        Assert.Contains("the program is exactly right up to length 100", stdout);
        Assert.True(new FileInfo(Path.Combine(_dir, "program.png")).Length > 1000);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "program.json")));
        JsonElement training = doc.RootElement.GetProperty("agreement")[0];
        Assert.Equal("training", training.GetProperty("at").GetString());
        Assert.True(training.GetProperty("sequence_agreement").GetDouble() >= 0.99);
        Assert.True(doc.RootElement.GetProperty("states").GetInt32() >= 3);
    }
}
