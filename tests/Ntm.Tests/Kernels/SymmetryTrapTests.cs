using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The symmetry trap (docs/equations.md, "Symmetry"): with constant memory and uniform initial weightings every write touches every
/// row equally, the rows stay identical, content addressing stays uniform and the gradient of the
/// initial weighting is zero. The default initialisation (initial weighting focused on row 0,
/// <see cref="ParameterInit.InitialFocusLogit"/>) must break that symmetry.
/// </summary>
public sealed class SymmetryTrapTests
{
    private static readonly NtmConfig Config = new()
    {
        InputSize = 3, OutputSize = 3, ControllerSize = 8, MemoryRows = 8, MemoryWidth = 4,
        ReadHeads = 1, WriteHeads = 1, MemoryInit = MemoryInit.Constant,
    };

    private const int Steps = 5;

    private static SequenceBatch RandomBatch()
    {
        var rng = new Rng(77);
        var batch = new SequenceBatch(Steps, 1, Config.InputSize, Config.OutputSize);
        for (int i = 0; i < batch.Inputs.Length; i++) batch.Inputs[i] = rng.NextBit() ? 1 : 0;
        for (int i = 0; i < batch.Targets.Length; i++) batch.Targets[i] = rng.NextBit() ? 1 : 0;
        Array.Fill(batch.Mask, 1f);
        return batch;
    }

    /// <summary>The default machine, and the same machine with every initial-weighting logit set to 0 (uniform).</summary>
    private static (NeuralTuringMachine Focused, NeuralTuringMachine Uniform) Machines()
    {
        var focused = NeuralTuringMachine.Create(Config, seed: 12);
        float[] p = (float[])focused.Parameters.Clone();
        ParameterTensor init = focused.Layout["init.weighting"];
        p.AsSpan(init.Offset, init.Length).Clear();
        return (focused, NeuralTuringMachine.FromParameters(Config, p));
    }

    /// <summary>Largest difference between any two memory rows.</summary>
    private static double RowSpread(float[,] memory)
    {
        double spread = 0;
        for (int i = 1; i < memory.GetLength(0); i++)
            for (int j = 0; j < memory.GetLength(1); j++)
                spread = Math.Max(spread, Math.Abs(memory[i, j] - memory[0, j]));
        return spread;
    }

    private static double[] InitWeightingGradient(NeuralTuringMachine machine, SequenceBatch batch)
    {
        double[] prm = machine.Parameters.Select(v => (double)v).ToArray();
        var (_, grad) = EngineRun.Run<double>(Config, prm, batch.Inputs.Select(v => (double)v).ToArray(),
            batch.Targets.Select(v => (double)v).ToArray(), batch.Mask.Select(v => (double)v).ToArray(), Steps, 1);
        ParameterTensor init = machine.Layout["init.weighting"];
        return grad.AsSpan(init.Offset, init.Length).ToArray();
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    [Fact]
    public void Default_initialisation_focuses_every_head_on_row_0()
    {
        var (focused, _) = Machines();
        ParameterTensor init = focused.Layout["init.weighting"];
        for (int h = 0; h < Config.Heads; h++)
        {
            ReadOnlySpan<float> logits = focused.Parameters.AsSpan(init.Offset + h * Config.MemoryRows, Config.MemoryRows);
            Assert.Equal(ParameterInit.InitialFocusLogit, logits[0]);
            for (int i = 1; i < logits.Length; i++) Assert.Equal(0f, logits[i]);
        }
    }

    [Fact]
    public void With_the_default_initialisation_memory_rows_become_different()
    {
        var (focused, _) = Machines();
        MachineTrace trace = focused.Trace(RandomBatch());
        // The first write weighting is far from uniform (1/8 = 0.125 each).
        double firstMax = Enumerable.Range(0, Config.MemoryRows).Max(i => trace.WriteWeightings[0][0, i]);
        Assert.True(firstMax > 0.2, $"first write weighting peaks at only {firstMax}");
        double spread = RowSpread(trace.FinalMemory);
        Assert.True(spread > 1e-3, $"memory rows differ by at most {spread:G3} after {Steps} writes");
    }

    [Fact]
    public void With_uniform_initial_weightings_memory_rows_stay_identical()
    {
        // The trap itself, as a contrast: every weighting stays uniform and the rows stay equal.
        var (_, uniform) = Machines();
        MachineTrace trace = uniform.Trace(RandomBatch());
        for (int t = 0; t < Steps; t++)
            for (int i = 0; i < Config.MemoryRows; i++)
            {
                Assert.Equal(0.125, trace.WriteWeightings[0][t, i], 1e-6);
                Assert.Equal(0.125, trace.ReadWeightings[0][t, i], 1e-6);
            }
        Assert.True(RowSpread(trace.FinalMemory) <= 1e-7, $"rows differ by {RowSpread(trace.FinalMemory):G3}");
    }

    [Fact]
    public void Initial_weighting_gradient_is_nonzero_with_focus_and_vanishes_when_uniform()
    {
        // With logits [10, 0, ..., 0] the initial weighting is p = [0.99968, 4.5e-5, ...] and the softmax
        // backward dz_i = p_i (dp_i - p.dp) scales the row-dependent part of dL/dw_{-1} by about 4.5e-5,
        // so the logit gradient is small (~1e-7 here) but clearly non-zero: rounding noise in double is
        // around 1e-16 times the loss gradient (~1e-3), i.e. ~1e-19. With uniform logits the gradient is
        // zero up to that noise: by symmetry dL/dw_{-1}(i) is the same for every row i, and the softmax
        // backward of a uniform weighting removes the common part.
        var (focused, uniform) = Machines();
        SequenceBatch batch = RandomBatch();
        double[] gFocused = InitWeightingGradient(focused, batch);
        double[] gUniform = InitWeightingGradient(uniform, batch);
        int n = Config.MemoryRows;
        for (int h = 0; h < Config.Heads; h++)
        {
            double focusedNorm = Norm(gFocused.AsSpan(h * n, n).ToArray());
            double uniformNorm = Norm(gUniform.AsSpan(h * n, n).ToArray());
            Assert.True(focusedNorm > 1e-9, $"head {h}: |dL/d init.weighting| = {focusedNorm:G3} with the default initialisation");
            Assert.True(uniformNorm <= 1e-6 * focusedNorm,
                $"head {h}: |dL/d init.weighting| = {uniformNorm:G3} with uniform initial weightings, {focusedNorm:G3} with focus");
        }
    }
}
