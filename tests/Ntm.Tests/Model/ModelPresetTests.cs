using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>
/// The paper's three models per task: every preset's parameter count against an independent count
/// written from the paper's architecture, a few exact figures, and the paper's learning rates.
/// </summary>
public sealed class ModelPresetTests
{
    // Counted from the architecture, not from ParameterLayout: controller layers, head projection
    // (per write head k M, beta, g, 2S+1 shifts, gamma, e M, a M; per read head the same without e
    // and a), output layer over [h; reads], learned initial reads and initial weighting logits.
    private static int Expected(NtmConfig c)
    {
        int h = c.ControllerSize, m = c.MemoryWidth, shifts = 2 * c.ShiftRange + 1;
        int gates = c.Controller == ControllerKind.Lstm ? 4 : 1;
        int count = 0;
        for (int l = 0; l < c.ControllerLayers; l++)
        {
            int inputs = l == 0 ? c.InputSize + c.ReadHeads * m : h;
            if (c.Controller == ControllerKind.Lstm) inputs += h;     // the recurrent input h_{t-1}
            count += gates * h * (inputs + 1);
        }
        int read = m + 1 + 1 + shifts + 1, write = read + 2 * m;
        int headOut = c.ReadHeads * read + c.WriteHeads * write;
        if (c.Heads > 0) count += headOut * (h + 1);
        count += c.OutputSize * (h + c.ReadHeads * m + 1);
        count += c.ReadHeads * m;                                      // initial read vectors
        count += c.Heads * c.MemoryRows;                               // initial weighting logits
        return count;
    }

    public static TheoryData<string, string> Presets()
    {
        var data = new TheoryData<string, string>();
        foreach (var p in ModelPresets.All) data.Add(p.Task, EnumSpelling.Format(p.Model));
        return data;
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_has_the_parameter_count_of_its_architecture_and_close_to_the_papers(string task, string model)
    {
        ModelPreset preset = ModelPresets.Find(task, EnumSpelling.Parse<ModelKind>(model));
        ISequenceTask t = TaskCatalog.Create(task);
        NtmConfig config = preset.Config with { InputSize = t.InputSize, OutputSize = t.OutputSize };
        int ours = new ParameterLayout(config).TrainableCount;
        Assert.Equal(Expected(config), ours);
        double ratio = (double)ours / preset.PaperParameters;
        Assert.InRange(ratio, 0.75, 1.0);   // docs/parameters.md: 0.79-0.99 of the paper's
    }

    [Theory]
    [InlineData("copy", "ntm-lstm", 62_536)]
    [InlineData("copy", "ntm-ff", 13_536)]
    [InlineData("copy", "lstm", 1_325_064)]
    [InlineData("priority-sort", "ntm-ff", 472_712)]
    public void Known_counts(string task, string model, int expected)
    {
        ISequenceTask t = TaskCatalog.Create(task);
        NtmConfig config = ModelPresets.For(task, EnumSpelling.Parse<ModelKind>(model)) with { InputSize = t.InputSize, OutputSize = t.OutputSize };
        Assert.Equal(expected, new ParameterLayout(config).TrainableCount);
    }

    [Fact]
    public void Presets_cover_the_papers_table_with_its_learning_rates()
    {
        Assert.Equal(15, ModelPresets.All.Count);
        Assert.Equal(1e-4f, ModelPresets.Find("copy", ModelKind.NtmLstm).PaperLearningRate);
        Assert.Equal(3e-5f, ModelPresets.Find("copy", ModelKind.Lstm).PaperLearningRate);
        Assert.Equal(3e-5f, ModelPresets.Find("dynamic-ngrams", ModelKind.NtmLstm).PaperLearningRate);
        Assert.Equal(1e-4f, ModelPresets.Find("dynamic-ngrams", ModelKind.Lstm).PaperLearningRate);
        Assert.Equal(3e-5f, ModelPresets.Find("priority-sort", ModelKind.NtmFeedForward).PaperLearningRate);
        var heads = ModelPresets.Find("priority-sort", ModelKind.NtmFeedForward).Config;
        Assert.Equal((8, 8, 512), (heads.ReadHeads, heads.WriteHeads, heads.ControllerSize));
        Assert.All(ModelPresets.All.Where(p => p.Model == ModelKind.Lstm), p => Assert.Equal((0, 3), (p.Config.Heads, p.Config.ControllerLayers)));
        // A task the paper did not run gets the copy task's model and rate.
        Assert.Equal(ModelPresets.Find("copy", ModelKind.NtmLstm), ModelPresets.Find("custom", ModelKind.NtmLstm));
    }

    [Theory]
    [InlineData("copy", ModelKind.NtmLstm, OptimizerKind.RmsProp, 1e-4f)]
    [InlineData("copy", ModelKind.Lstm, OptimizerKind.RmsProp, 3e-5f)]
    [InlineData("dynamic-ngrams", ModelKind.NtmLstm, OptimizerKind.RmsProp, 3e-5f)]
    [InlineData("priority-sort", ModelKind.NtmFeedForward, OptimizerKind.RmsProp, 3e-5f)]
    [InlineData("custom", ModelKind.Lstm, OptimizerKind.RmsProp, 3e-5f)]      // the copy task's rate
    [InlineData("dynamic-ngrams", ModelKind.NtmLstm, OptimizerKind.Adam, 5e-4f)]
    public void The_default_learning_rate_is_the_papers_for_rmsprop_and_a_fixed_one_for_adam(string task, ModelKind model, OptimizerKind optimizer, float expected)
    {
        Assert.Equal(expected, ModelPresets.DefaultLearningRate(task, model, optimizer));
        Assert.Equal(5e-4f, ModelPresets.AdamLearningRate);
    }
}
