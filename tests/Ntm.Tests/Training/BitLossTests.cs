using Ntm.Numerics;
using Ntm.Tests.Kernels;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

/// <summary>
/// The loss (paper section 4, docs/equations.md "Output layer and loss"): binary cross-entropy from
/// the logits, softplus(z) - y z per bit, in nats per sequence. Known values, and the backward
/// against central differences.
/// </summary>
public sealed class BitLossTests
{
    // Two steps, two sequences, two output bits; logits and targets laid out (step, sequence, bit).
    //   step 0, seq 0: z = [0, 2],   y = [1, 1]: ln 2 + (softplus 2 - 2) = 0.693147181 + ln(1 + e^-2) 0.126928011 = 0.820075192
    //                  bit errors: z = 0 is not > 0 but y = 1 (1); z = 2 right                               -> 1
    //   step 0, seq 1: z = [-3, -1], y = [1, 0]: (softplus(-3) + 3) + softplus(-1) = ln(1 + e^-3) + 3 + ln(1 + e^-1)
    //                  = 0.048587352 + 3 + 0.313261688 = 3.361849039; errors: z = -3 with y = 1 (1)          -> 1
    //   step 1, seq 0: z = [1, -2],  y = [0, 0]: mask 0, not scored
    //   step 1, seq 1: z = [4, 0.5], y = [1, 0]: ln(1 + e^-4) + ln(1 + e^0.5) = 0.018149928 + 0.974076984 = 0.992226912
    //                  errors: z = 0.5 with y = 0 (1)                                                       -> 1
    // Mask: step 0 [1, 0.5], step 1 [0, 1]. Each step's cost and errors are weighted by the mask:
    //   seq 0: 0.820075192;  seq 1: 0.5 * 3.361849039 + 0.992226912 = 2.673151432
    //   errors: seq 0: 1;  seq 1: 0.5 * 1 + 1 = 1.5
    private static readonly double[] Logits = [0, 2, -3, -1, 1, -2, 4, 0.5];
    private static readonly double[] Targets = [1, 1, 1, 0, 0, 0, 1, 0];
    private static readonly double[] Mask = [1, 0.5, 0, 1];

    [Fact]
    public void Forward_adds_each_sequences_cost_in_nats_and_its_bit_errors()
    {
        double[] cost = [10, 20], errors = [1, 2];   // added to, not overwritten
        BitLoss.Forward<double>(Logits, Targets, Mask, 2, 2, 2, cost, errors);
        KernelAssert.Close([10.820075192, 22.673151432], cost, 1e-9);
        KernelAssert.Close([2, 3.5], errors, 0);
    }

    [Fact]
    public void Nats_over_ln_2_are_bits() => Assert.Equal(1.0, BitLoss.ToBits(Math.Log(2)), 1e-15);

    [Fact]
    public void Backward_has_known_values()
    {
        // Step 0, scale 0.5: dz = scale mask (sigmoid(z) - y)
        //   seq 0 (mask 1):   0.5 [1/2 - 1, sigmoid 2 - 1] = 0.5 [-0.5, -0.119202922] = [-0.25, -0.059601461]
        //   seq 1 (mask 0.5): 0.25 [sigmoid(-3) - 1, sigmoid(-1)] = 0.25 [-0.952574127, 0.268941421] = [-0.238143532, 0.067235355]
        // Step 1, seq 0 has mask 0: its entries are written as 0.
        var dz = new double[4];
        BitLoss.Backward<double>(dz, Logits.AsSpan(0, 4), Targets.AsSpan(0, 4), Mask.AsSpan(0, 2), 0.5, 2, 2);
        KernelAssert.Close([-0.25, -0.059601461, -0.238143532, 0.067235355], dz, 1e-9);
        double[] step1 = [9, 9, 9, 9];
        BitLoss.Backward<double>(step1, Logits.AsSpan(4, 4), Targets.AsSpan(4, 4), Mask.AsSpan(2, 2), 0.5, 2, 2);
        Assert.Equal([0.0, 0.0], step1[..2]);
    }

    [Theory]
    [InlineData(3, 4, 3, 1)]
    [InlineData(2, 1, 5, 2)]
    public void Backward_matches_central_differences(int steps, int batch, int outputs, int seed)
    {
        // softplus is smooth (its two branches are the same function), so the logits are random in
        // [-4, 4]; targets are random bits and the mask mixes 1, 0.5 and 0. Backward has one scale for
        // every row, so the output is the total cost over the sequences, and its upstream gradient is
        // the scale. Backward covers one step's rows and writes them, zeros where the mask is 0. The
        // bit errors are a step function of the logits and have no gradient.
        var rng = new Rng((ulong)seed);
        double[] targets = Enumerable.Range(0, steps * batch * outputs).Select(_ => rng.NextBit() ? 1.0 : 0.0).ToArray();
        double[] mask = Enumerable.Range(0, steps * batch).Select(i => (i % 3) switch { 0 => 1, 1 => 0.5, _ => 0.0 }).ToArray();
        new FiniteDifference()
            .Input("logits", FiniteDifference.Uniform(rng, steps * batch * outputs, -4, 4), GradientMode.Overwrites)
            .Check(
                x =>
                {
                    var cost = new double[batch];
                    BitLoss.Forward<double>(x["logits"], targets, mask, outputs, steps, batch, cost, new double[batch]);
                    return new() { ["cost"] = [cost.Sum()] };
                },
                (x, dy, dx) =>
                {
                    int rows = batch * outputs;
                    for (int t = 0; t < steps; t++)
                        BitLoss.Backward<double>(dx["logits"].AsSpan(t * rows, rows), x["logits"].AsSpan(t * rows, rows),
                            targets.AsSpan(t * rows, rows), mask.AsSpan(t * batch, batch), dy["cost"][0], outputs, batch);
                });
    }
}
