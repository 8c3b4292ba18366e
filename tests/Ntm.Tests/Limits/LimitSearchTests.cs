using Ntm.Limits;
using Ntm.Model;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Limits;

/// <summary>The limit search and the diagnosis on the trained copy model kept as a fixture.</summary>
public sealed class LimitSearchTests
{
    [Fact]
    public void The_copy_model_breaks_at_its_memory_size_and_the_diagnosis_names_the_wrap()
    {
        // The fixture writes one row per input (the delimiter takes one more) and so copies up to N - 2
        // vectors with N rows; past that the write head comes back to a row it wrote.
        NeuralTuringMachine m = Fixture.CopyMachine();
        var task = RunFolder.Open(Fixture.CopyRun).Task;
        LimitsResult small = LimitSearch.Run(m.WithMemoryRows(16), task, 128, count: 40, seed: 5);
        Assert.Equal(("copy", 16, 128, "length", 20), (small.Task, small.MemoryRows, small.TrainedMemoryRows, small.Axis, small.TrainingMax));
        Assert.Equal(14, small.Exact.Value);
        Assert.False(small.Exact.Censored);
        Assert.Equal(14, small.Bits.Value);
        Assert.NotNull(small.Diagnosis);
        Assert.Equal(15, small.Diagnosis!.Value);
        Assert.Equal(FailureKind.MemoryWrap, small.Diagnosis.Kind);
        Assert.StartsWith("memory wrap at 16", small.Diagnosis.Verdict);
        Assert.Equal(2, small.Diagnosis.Sharpness.Count);
        Assert.Equal(2 * 15 + 1, small.Diagnosis.Sharpness[0].MaxWeight.Count);

        LimitsResult large = LimitSearch.Run(m.WithMemoryRows(48), task, 128, count: 40, seed: 5);
        Assert.Equal(46, large.Exact.Value);
        Assert.True(large.Points.Select(p => p.Value).SequenceEqual(large.Points.Select(p => p.Value).Order()));
        Assert.All(large.Points, p => Assert.InRange(p.ExactLow, 0, p.ExactFraction));
    }

    [Fact]
    public void A_task_without_an_axis_cannot_be_searched()
    {
        NeuralTuringMachine m = Fixture.CopyMachine();
        var custom = new CustomTaskWithoutAxis();
        Assert.Throws<InvalidConfigurationException>(() => LimitSearch.Run(m, custom, 128, 10, 1));
    }

    private sealed class CustomTaskWithoutAxis : Ntm.Tasks.ISequenceTask
    {
        public string Name => "no-axis";
        public int InputSize => 9;
        public int OutputSize => 8;
        public Ntm.Tasks.SequenceBatch Sample(Ntm.Numerics.Rng rng, int batchSize) => new(3, batchSize, 9, 8);
    }
}
