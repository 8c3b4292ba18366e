using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Known values of softmax, sigmoid and softplus, including inputs large enough to overflow a naive formula.</summary>
public sealed class ActivationsTests
{
    [Fact]
    public void Softmax_of_a_small_vector()
    {
        // softmax([1, 0, -1]) = [e, 1, 1/e] / 4.086161270 = [0.665240956, 0.244728471, 0.090030573]
        double[] s = [1, 0, -1];
        Activations.SoftmaxInPlace<double>(s);
        KernelAssert.Close([0.6652409557748219, 0.24472847105479767, 0.09003057317038046], s, 1e-15);
        // softmax([ln 1, ln 2, ln 5]) = [1, 2, 5] / 8
        double[] t = [0, Math.Log(2), Math.Log(5)];
        Activations.SoftmaxInPlace<double>(t);
        KernelAssert.Close([0.125, 0.25, 0.625], t, 1e-15);
    }

    [Fact]
    public void Softmax_is_unchanged_by_adding_a_constant()
    {
        double[] a = [1, 0, -1];
        double[] b = [1001, 1000, 999];
        Activations.SoftmaxInPlace<double>(a);
        Activations.SoftmaxInPlace<double>(b);
        KernelAssert.Close(a, b, 1e-15);
    }

    [Theory]
    [InlineData(1e4f)]
    [InlineData(1e30f)]
    [InlineData(3e38f)]
    public void Softmax_of_huge_inputs_does_not_overflow(float big)
    {
        // Shifted by the maximum: exp(0) = 1 on the largest entries, exp(-huge) = 0 elsewhere.
        float[] s = [big, 0, -big];
        Activations.SoftmaxInPlace<float>(s);
        KernelAssert.Close([1, 0, 0], s, 0);
        float[] tie = [big, big, -big, 0];
        Activations.SoftmaxInPlace<float>(tie);
        KernelAssert.Close([0.5, 0.5, 0, 0], tie, 0);
        double[] d = [1e4, 1e4 - Math.Log(3), -1e4];
        Activations.SoftmaxInPlace<double>(d);
        KernelAssert.Close([0.75, 0.25, 0], d, 1e-11);   // 1e4 - ln 3 is rounded to the 1.8e-12 spacing of doubles near 1e4
    }

    [Fact]
    public void Softmax_backward_of_huge_inputs_is_finite()
    {
        float[] p = [1e4f, 0, -1e4f];
        Activations.SoftmaxInPlace<float>(p);
        var dz = new float[3];
        Activations.SoftmaxBackward<float>(dz, p, [1e3f, -1e3f, 5]);
        KernelAssert.Finite<float>(dz, "dz");
        // p = [1, 0, 0]: dz_i = p_i (dp_i - p.dp) = [1 (1e3 - 1e3), 0, 0] = 0
        KernelAssert.Close([0, 0, 0], dz, 0);
    }

    [Fact]
    public void Softmax_backward_has_known_values()
    {
        // p = [0.5, 0.25, 0.25], dp = [1, 0, 0]: p.dp = 0.5, dz = [0.5 * 0.5, 0.25 * -0.5, 0.25 * -0.5]
        var dz = new double[3];
        Activations.SoftmaxBackward<double>(dz, [0.5, 0.25, 0.25], [1, 0, 0]);
        KernelAssert.Close([0.25, -0.125, -0.125], dz, 0);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(2.0, 0.88079707797788231)]    // 1 / (1 + e^-2)
    [InlineData(-2.0, 0.11920292202211755)]   // e^-2 / (1 + e^-2)
    [InlineData(40.0, 1.0)]                   // 1 - 4.2e-18 rounds to 1
    [InlineData(-40.0, 4.2483542552915889e-18)] // e^-40 / (1 + e^-40): a naive 1 - 1/(1 + e^40) would give 0
    public void Sigmoid_known_values(double x, double expected)
        => Assert.Equal(expected, Activations.Sigmoid(x), expected * 1e-14 + 1e-300);

    [Theory]
    [InlineData(0.0, 0.69314718055994531)]    // ln 2
    [InlineData(2.0, 2.1269280110429727)]     // ln(1 + e^2)
    [InlineData(-2.0, 0.12692801104297252)]   // ln(1 + e^-2)
    [InlineData(40.0, 40.0)]                  // 40 + ln(1 + 4.2e-18)
    public void Softplus_known_values(double x, double expected)
        => Assert.Equal(expected, Activations.Softplus(x), 1e-14);

    [Theory]
    [InlineData(1e4f)]
    [InlineData(1e30f)]
    [InlineData(float.MaxValue)]
    public void Sigmoid_and_softplus_at_large_magnitude_are_finite_with_the_right_limits(float big)
    {
        // sigmoid -> 1 and 0; softplus(x) -> x for large x and -> 0 for very negative x.
        Assert.Equal(1f, Activations.Sigmoid(big));
        Assert.Equal(0f, Activations.Sigmoid(-big));
        Assert.Equal(big, Activations.Softplus(big));
        Assert.Equal(0f, Activations.Softplus(-big));
        Assert.Equal(1.0, Activations.Sigmoid((double)big));
        Assert.Equal(0.0, Activations.Sigmoid(-(double)big));
        Assert.Equal((double)big, Activations.Softplus((double)big));
        Assert.Equal(0.0, Activations.Softplus(-(double)big));
    }

    [Fact]
    public void Float_sigmoid_at_moderately_large_inputs_is_accurate()
    {
        // e^-80 = 1.8e-35 is a normal float: the stable branch returns it, not 0.
        Assert.Equal(Math.Exp(-80), Activations.Sigmoid(-80f), 1e-40);
        Assert.Equal(1f, Activations.Sigmoid(80f));
        Assert.Equal(80f, Activations.Softplus(80f));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void Softmax_backward_matches_central_differences(bool aliased, int seed)
    {
        // Smooth everywhere; logits in [-3, 3] keep every probability above 1e-3. SoftmaxBackward
        // writes dz, and may be given dz as its own dp (the addressing chain does that in place).
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("z", FiniteDifference.Uniform(rng, 6, -3, 3), GradientMode.Overwrites)
            .Check(
                x => new() { ["p"] = Softmax(x["z"]) },
                (x, dy, dx) =>
                {
                    if (aliased)
                    {
                        dy["p"].CopyTo(dx["z"], 0);
                        Activations.SoftmaxBackward<double>(dx["z"], Softmax(x["z"]), dx["z"]);
                    }
                    else Activations.SoftmaxBackward<double>(dx["z"], Softmax(x["z"]), dy["p"]);
                });

        static double[] Softmax(double[] z)
        {
            var p = (double[])z.Clone();
            Activations.SoftmaxInPlace<double>(p);
            return p;
        }
    }

    // Points on both sides of each formula's branch at 0 (the functions are smooth there), and far out
    // where the derivatives are tiny: the absolute tolerance covers those.
    private static readonly double[] ScalarPoints = [-30, -4.2, -1.3, -0.2, 0.15, 0.9, 2.7, 12, 35];

    [Fact]
    public void Sigmoid_derivative_is_s_times_one_minus_s()
    {
        // sigmoid' = s (1 - s), the form HeadActivation and the LSTM backward use.
        new FiniteDifference()
            .Input("x", (double[])ScalarPoints.Clone())
            .Check(
                x => new() { ["s"] = x["x"].Select(Activations.Sigmoid).ToArray() },
                (x, dy, dx) =>
                {
                    for (int i = 0; i < x["x"].Length; i++)
                    {
                        double s = Activations.Sigmoid(x["x"][i]);
                        dx["x"][i] += dy["s"][i] * s * (1 - s);
                    }
                });
    }

    [Fact]
    public void Softplus_derivative_is_the_sigmoid()
    {
        // softplus' = sigmoid, the form HeadActivation's backward uses for beta and gamma.
        new FiniteDifference()
            .Input("x", (double[])ScalarPoints.Clone())
            .Check(
                x => new() { ["y"] = x["x"].Select(Activations.Softplus).ToArray() },
                (x, dy, dx) =>
                {
                    for (int i = 0; i < x["x"].Length; i++) dx["x"][i] += dy["y"][i] * Activations.Sigmoid(x["x"][i]);
                });
    }
}
