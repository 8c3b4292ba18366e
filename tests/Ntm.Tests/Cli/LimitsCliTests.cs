using System.Text.Json;
using Ntm.Tests.Limits;
using Xunit;

namespace Ntm.Tests.Cli;

/// <summary><c>ntm limits</c> and <c>--memory-rows</c> through the command line.</summary>
public sealed class LimitsCliTests
{
    [Fact]
    public void Limits_json_has_every_documented_field()
    {
        var (exit, stdout, stderr) = CliProcess.Run("limits", Fixture.CopyRun, "--memory-rows", "12", "24", "--count", "20", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        foreach (string field in new[] { "run", "model", "task", "memory_rows", "axis", "exact_limit", "exact_limit_interval", "exact_censored",
                     "bit_limit", "bit_limit_interval", "bit_censored", "points", "diagnosis" })
            Assert.True(rows[0].TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal([12, 24], rows.Select(r => r.GetProperty("memory_rows").GetInt32()));
        Assert.Equal([10, 22], rows.Select(r => r.GetProperty("exact_limit").GetInt32()));
        Assert.Equal("memory-wrap", rows[0].GetProperty("diagnosis").GetProperty("kind").GetString());
        Assert.Contains("at length 20 with 12 rows", stderr);   // progress, one plain line per value scored
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("generalize")]
    [InlineData("show")]
    [InlineData("limits")]
    public void A_memory_size_below_one_is_a_one_line_usage_error(string command)
    {
        foreach (string bad in new[] { "0", "-4" })
        {
            var (exit, stdout, stderr) = CliProcess.Run(command, Fixture.CopyRun, "--memory-rows", bad);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line);
        }
    }

    [Fact]
    public void Eval_with_more_memory_rows_copies_past_the_trained_memory()
    {
        var (exit, stdout, stderr) = CliProcess.Run("eval", Fixture.CopyRun, "--length", "150", "--memory-rows", "256", "--count", "5", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(256, doc.RootElement.GetProperty("memory_rows").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("bit_errors").GetDouble());
        Assert.Equal(1, doc.RootElement.GetProperty("exact_fraction").GetDouble());
    }
}
