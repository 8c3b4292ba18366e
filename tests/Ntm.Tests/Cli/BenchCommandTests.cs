using System.Text.Json;
using Xunit;

namespace Ntm.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public void Bench_json_reports_three_configurations_with_positive_figures()
    {
        var (exit, stdout, stderr) = CliProcess.Run("bench", "--json", "--seconds", "0.2");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement[] rows = [.. doc.RootElement.EnumerateArray()];
        Assert.Equal(3, rows.Length);
        Assert.Equal([1, 8, 8], rows.Select(r => r.GetProperty("batch_size").GetInt32()));   // 8 whatever the trainer's default
        Assert.Equal([1, 2, 2], rows.Select(r => r.GetProperty("shards").GetInt32()));
        Assert.All(rows, r => Assert.Equal("rmsprop", r.GetProperty("optimizer").GetString()));
        Assert.Equal([1, 1, Environment.ProcessorCount], rows.Select(r => r.GetProperty("threads").GetInt32()));
        foreach (JsonElement r in rows)
        {
            foreach (string key in new[] { "sequences_per_second", "flops_per_sequence", "gflops", "ceiling_gflops", "ceiling_backward_gflops", "ratio", "peak_gflops" })
                Assert.True(r.GetProperty(key).GetDouble() > 0, $"{key} is not positive: {r}");
            // Copy sequences of lengths 1-20 cost between about 1.5 and 21 million flops each.
            double flops = r.GetProperty("flops_per_sequence").GetDouble();
            Assert.InRange(flops, 1e6, 3e7);
            // The threads kept busy: one per shard at most; the peak is measured on that many.
            Assert.Equal(Math.Min(r.GetProperty("threads").GetInt32(), r.GetProperty("shards").GetInt32()), r.GetProperty("threads_used").GetInt32());
            double expected = r.GetProperty("sequences_per_second").GetDouble() * flops / 1e9;
            Assert.Equal(expected, r.GetProperty("gflops").GetDouble(), 9);
        }
    }
}
