using Ntm.Heads;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Ntm.Tests.Cli;
using Ntm.Tests.Limits;
using System.Text.Json;
using Xunit;

namespace Ntm.Tests.Model;

/// <summary>Hard-attention execution: weightings made discrete before they are used.</summary>
public sealed class HardAttentionTests
{
    [Fact]
    public void Arg_max_is_one_hot_at_the_largest_entry()
    {
        float[] w = [0.1f, 0.6f, 0.3f];
        HardAttention.ArgMax.Apply<float>(w);
        Assert.Equal([0f, 1f, 0f], w);
    }

    [Fact]
    public void A_threshold_keeps_the_entries_at_or_above_it_renormalised()
    {
        double[] w = [0.1, 0.5, 0.4];
        HardAttention.Threshold(0.4).Apply<double>(w);
        Assert.Equal([0, 0.5 / 0.9, 0.4 / 0.9], w);
        double[] flat = [0.3, 0.35, 0.35 - 1e-9];
        HardAttention.Threshold(0.9).Apply<double>(flat);          // nothing reaches 0.9: the arg max
        Assert.Equal([0, 1, 0], flat);
        double[] soft = [0.2, 0.8];
        HardAttention.Soft.Apply<double>(soft);
        Assert.Equal([0.2, 0.8], soft);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_threshold_outside_zero_to_one_is_refused(double t)
        => Assert.Throws<InvalidConfigurationException>(() => HardAttention.Threshold(t));

    /// <summary>
    /// A machine whose weightings are one-hot by construction: the initial weighting is one-hot on row 0,
    /// the gate is 0 (sigmoid(-10^4)), so content addressing is ignored, the shift weighting peaks at +1
    /// and the sharpening exponent is about 10^4, which leaves exactly one nonzero entry in float32.
    /// Every head's projection rows for those parameters are zero, so the controller cannot change them.
    /// </summary>
    private static NeuralTuringMachine OneHotMachine()
    {
        var config = new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 9, MemoryWidth = 3 };
        var m = NeuralTuringMachine.Create(config, seed: 6);
        var slices = new HeadSlices(config);
        ParameterTensor weight = m.Layout["heads.weight"], bias = m.Layout["heads.bias"], init = m.Layout["init.weighting"];
        for (int hd = 0; hd < config.Heads; hd++)
        {
            HeadLayout hl = slices.Layouts[hd];
            int off = slices.Offsets[hd];
            void Fix(int row, float value)
            {
                m.Parameters.AsSpan(weight.Offset + (off + row) * config.ControllerSize, config.ControllerSize).Clear();
                m.Parameters[bias.Offset + off + row] = value;
            }
            Fix(hl.Gate, -1e4f);
            Fix(hl.Gamma, 1e4f);
            Fix(hl.Shift, 0f);
            Fix(hl.Shift + 1, 0f);
            Fix(hl.Shift + 2, 5f);
            for (int i = 0; i < config.MemoryRows; i++) m.Parameters[init.Offset + hd * config.MemoryRows + i] = i == 0 ? 0f : -1e4f;
        }
        return m;
    }

    [Fact]
    public void Hard_attention_on_a_machine_whose_weightings_are_already_one_hot_changes_nothing()
    {
        NeuralTuringMachine soft = OneHotMachine();
        NeuralTuringMachine hard = soft.WithAttention(HardAttention.ArgMax);
        SequenceBatch batch = new CopyTask(bits: 4, minLength: 12, maxLength: 12).Sample(new Rng(3), 4);
        MachineTrace trace = soft.Trace(batch);
        foreach (float[,] w in trace.WriteWeightings.Concat(trace.ReadWeightings))
            for (int t = 0; t < w.GetLength(0); t++)
                Assert.Equal(1, Enumerable.Range(0, w.GetLength(1)).Count(i => w[t, i] != 0));   // one-hot indeed
        Assert.Equal(soft.Predict(batch), hard.Predict(batch));
        Assert.Equal((1.0, 1.0), Evaluation.Agreement(soft, hard, (r, n) => batch, 4, 4, new Rng(1)));
    }

    [Fact]
    public void Hard_attention_changes_a_soft_machine_and_cannot_be_trained()
    {
        var config = new NtmConfig { InputSize = 5, OutputSize = 4, ControllerSize = 8, MemoryRows = 9, MemoryWidth = 3 };
        NeuralTuringMachine soft = NeuralTuringMachine.Create(config, seed: 6);   // untrained: diffuse weightings
        NeuralTuringMachine hard = soft.WithAttention(HardAttention.ArgMax);
        Assert.Same(soft, soft.WithAttention(HardAttention.Soft));
        Assert.Same(soft.Parameters, hard.Parameters);
        SequenceBatch batch = new CopyTask(bits: 4, minLength: 6, maxLength: 6).Sample(new Rng(3), 2);
        Assert.NotEqual(soft.Predict(batch), hard.Predict(batch));
        Assert.Throws<InvalidConfigurationException>(() => new Trainer(hard, new CopyTask(bits: 4), new TrainerOptions()));
    }

    [Fact]
    public void Eval_hard_reports_the_agreement_with_the_soft_machine()
    {
        var (exit, stdout, stderr) = CliProcess.Run("eval", Fixture.CopyRun, "--hard", "--length", "20", "--count", "10", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("hard (arg max)", doc.RootElement.GetProperty("attention").GetString());
        Assert.InRange(doc.RootElement.GetProperty("agreement_bits").GetDouble(), 0, 1);
        Assert.InRange(doc.RootElement.GetProperty("agreement_sequences").GetDouble(), 0, 1);

        (exit, stdout, stderr) = CliProcess.Run("eval", Fixture.CopyRun, "--hard-threshold", "0.3");
        Assert.Equal(1, exit);
        Assert.Equal("error: --hard-threshold goes with --hard.", stderr.Trim());
    }
}
