using Ntm.Benchmarking;
using Ntm.Model;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Benchmarking;

public sealed class FlopCountTests
{
    private static FlopTerm Term(FlopCount c, string prefix) => Assert.Single(c.Terms, t => t.Name.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void A_tiny_machine_matches_the_hand_count()
    {
        // Feed-forward controller H = 2 over [x (1); r (1)], memory 2 x 1, one read and one write head,
        // no shifts but 0 (K = 1); output 1. Head sizes: write 1 + 1 + 1 + 1 + 1 + 1 + 1 = 7, read 5, P = 12.
        var config = new NtmConfig
        {
            Controller = ControllerKind.FeedForward, InputSize = 1, OutputSize = 1, ControllerSize = 2,
            MemoryRows = 2, MemoryWidth = 1, ReadHeads = 1, WriteHeads = 1, ShiftRange = 0,
        };
        FlopCount c = FlopCount.For(config);
        (string Prefix, long Fwd, long Bwd)[] expected =
        [
            ("controller 0 linear", 2 * (2 * 2 + 1), 2 * (4 * 2 + 1)),          // 2 rows x 2 cols
            ("controller 0 tanh", 2, 3 * 2),
            ("head projection", 12 * (2 * 2 + 1), 12 * (4 * 2 + 1)),            // 12 rows x 2 cols
            ("head activations", 2 * (4 + 3 + 5 + 1 + 4) + 4 * 1, 2 * (4 + 3 + 4 + 4) + 6 * 1),
            ("content addressing", 2 * (3 + 2 * 6 + 9), 2 * (8 + 1 + 2 * 18 + 3 + 1)),
            ("interpolation", 2 * (3 * 2 + 1), 2 * (7 * 2 + 2)),
            ("shift", 2 * (2 * 1 * 2), 2 * (4 * 1 * 2 + 1)),
            ("sharpen", 2 * (3 * 2 + 9), 2 * (8 + 14 + 1)),
            ("memory write", 2 * 7 + 2 * 3, 13 * 2 + 2 + (2 + 2)),
            ("memory read", 2 * 2, 2 * 5 + 1),
            ("output layer", 1 * (2 * 3 + 1), 1),                                 // 1 row x [h (2); r (1)]
            ("loss, output layer backward", 7 + 4, 5 + (4 * 3 + 1)),
            ("initial state", 2 * 9 + 2 * 3, 1 + 2 * (2 + 8 + 2)),
        ];
        Assert.Equal(expected.Length, c.Terms.Count);
        foreach (var (prefix, fwd, bwd) in expected)
        {
            FlopTerm t = Term(c, prefix);
            Assert.True(t.Forward == fwd, $"{prefix} forward: {t.Forward}, expected {fwd}");
            Assert.True(t.Backward == bwd, $"{prefix} backward: {t.Backward}, expected {bwd}");
        }
        Assert.Equal(241, c.ForwardPerStep);
        Assert.Equal(406, c.BackwardPerStep);
        FlopTotals s = c.Sequence(steps: 3, scoredSteps: 1);
        Assert.Equal(3 * 241 + 11 + 24, s.Forward);
        Assert.Equal(3 * 406 + 18 + 25, s.Backward);
        Assert.Equal(2019, s.Total);
    }

    [Fact]
    public void The_copy_machine_per_step_counts_are_the_documented_ones()
    {
        FlopCount c = FlopCount.For(new NtmConfig());
        Assert.Equal(400L * (2 * 129 + 1), Term(c, "controller 0 linear (400 x 129)").Forward);
        Assert.Equal(92L * (2 * 100 + 1), Term(c, "head projection (92 x 100)").Forward);
        Assert.Equal(170_410, c.ForwardPerStep);
        Assert.Equal(332_717, c.BackwardPerStep);
        Assert.Equal(11_118_078, c.CopyAverage().Total, 6);
        Assert.Equal(62_536L * (12 + 2 + 1), c.OptimizerStep(OptimizerKind.Adam, shards: 2));
        Assert.Equal(62_536L * (16 + 2), c.OptimizerStep(OptimizerKind.RmsProp, shards: 1));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    public void Memory_terms_grow_as_expected_when_the_rows_double(int reads, int writes)
    {
        var small = new NtmConfig { MemoryRows = 64, ReadHeads = reads, WriteHeads = writes };
        var large = small with { MemoryRows = 128 };
        FlopCount a = FlopCount.For(small), b = FlopCount.For(large);
        long n = 64, m = 20, k = 3, heads = reads + writes;
        long Grow(string prefix, bool backward) =>
            backward ? Term(b, prefix).Backward - Term(a, prefix).Backward : Term(b, prefix).Forward - Term(a, prefix).Forward;

        // Proportional to N: exactly double.
        foreach (string p in new[] { "memory read", "memory write", "shift" })
            Assert.Equal(2 * Term(a, p).Forward, Term(b, p).Forward);
        Assert.Equal(2 * Term(a, "shift").Backward - heads * k, Term(b, "shift").Backward);
        // Affine in N: grows by the N-proportional part only.
        Assert.Equal(heads * n * (2 * m + 8), Grow("content addressing", false));
        Assert.Equal(heads * n * (6 * m + 16), Grow("content addressing", true));
        Assert.Equal(heads * 3 * n, Grow("interpolation", false));
        Assert.Equal(heads * 7 * n, Grow("sharpen", false));
        Assert.Equal(reads * n * (4 * m + 1), Grow("memory read", true));
        long writeBackwardPerCell = writes == 1 ? 13 : 3 * writes * writes + 10 * writes + 2;
        Assert.Equal(n * m * writeBackwardPerCell + (writes == 1 ? n : 0) + writes * n, Grow("memory write", true));
        // Unchanged: the controller, the head projection, the output layer.
        foreach (string p in new[] { "controller 0 linear", "controller 0 LSTM gates", "head projection", "output layer" })
        {
            Assert.Equal(0, Grow(p, false));
            Assert.Equal(0, Grow(p, true));
        }
    }

    [Fact]
    public void A_sequence_is_linear_in_its_steps()
    {
        FlopCount c = FlopCount.For(new NtmConfig());
        FlopTotals none = c.Sequence(0, 0), one = c.Sequence(25, 10), two = c.Sequence(50, 20);
        Assert.Equal(one.Total - none.Total, two.Total - one.Total);
        Assert.Equal(none.Total + 25.0 * (c.ForwardPerStep + c.BackwardPerStep) + 10.0 * Term(c, "loss").Total, one.Total);
        Assert.Equal(Term(c, "initial state").Total, none.Total);
        // Copy: 2 L + 1 steps of which L are scored; lengths 1-20 average to 22 steps, 10.5 scored.
        Assert.Equal(c.Sequence(21, 10).Total, c.CopySequence(10).Total);
        Assert.Equal(c.Sequence(22, 10.5).Total, c.CopyAverage(1, 20).Total, 6);
    }

    [Fact]
    public void A_plain_lstm_has_no_memory_terms()
    {
        FlopCount c = FlopCount.For(new NtmConfig { ReadHeads = 0, WriteHeads = 0, ControllerLayers = 3 });
        Assert.DoesNotContain(c.Terms, t => t.Name.Contains("memory") || t.Name.Contains("addressing") || t.Name == "initial state");
        Assert.Equal(3, c.Terms.Count(t => t.Name.EndsWith("LSTM gates", StringComparison.Ordinal)));
        Assert.Equal(400L * (2 * (9 + 100) + 1), Term(c, "controller 0 linear (400 x 109)").Forward);   // [x; h], no read vectors
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        FlopCount c = FlopCount.For(new NtmConfig());
        Assert.Throws<InvalidConfigurationException>(() => c.Sequence(3, 4));
        Assert.Throws<InvalidConfigurationException>(() => c.CopySequence(0));
        Assert.Throws<InvalidConfigurationException>(() => c.CopyAverage(5, 4));
        Assert.Throws<InvalidConfigurationException>(() => c.OptimizerStep(OptimizerKind.Adam, 0));
        Assert.Throws<InvalidConfigurationException>(() => FlopCount.For(new NtmConfig { MemoryRows = 0 }));
    }

    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        Assert.Equal(3, ThroughputBenchmark.Median([5, 1, 3]));
        Assert.Equal(2.5, ThroughputBenchmark.Median([4, 1, 2, 3]));
    }
}
