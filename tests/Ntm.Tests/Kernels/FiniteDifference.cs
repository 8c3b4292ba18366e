using System.Text;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>What a backward pass does with the gradient buffer of one input.</summary>
internal enum GradientMode
{
    /// <summary>Adds its gradient to what the buffer holds (+=), as most kernels do.</summary>
    Accumulates,

    /// <summary>
    /// Writes its gradient whatever the buffer held (=): a kernel that overwrites (LSTM dU,
    /// HeadAddressing dWPrev), or a gradient the kernel returns (dBeta, dGamma) that the test assigns.
    /// </summary>
    Overwrites,

    /// <summary>Held fixed: never perturbed, and the backward must leave its buffer exactly as it was.</summary>
    Fixed,
}

/// <summary>
/// Checks a backward pass against its forward pass by central differences, in double precision.
/// <para>
/// A check is given named inputs (double arrays), a forward function that maps them to named
/// outputs, and a backward function that, given an upstream gradient for every output, writes the
/// gradient of every input into a buffer of that input's length. The harness draws every upstream
/// entry at random (magnitude in [0.5, 1.5], random sign, so none is near 0), which defines the
/// scalar L = sum over outputs of &lt;upstream, output&gt;; the backward must return dL/dx for
/// every input x. Then, for every entry of every input that is not <see cref="GradientMode.Fixed"/>:
/// numeric = (L(x + h) - L(x - h)) / 2h, and the entry passes when
/// |analytic - numeric| &lt;= RelativeTolerance (|analytic| + |numeric|) + AbsoluteTolerance.
/// </para>
/// <para>
/// Step and tolerance. The step h = 1e-5 balances the two errors of a central difference: truncation,
/// h^2 |L'''| / 6, about 2e-11 |L'''|, which relative to the derivative is at most 2e-8 even where
/// sharpening or the cosine make |L'''| a thousand times |L'|; and rounding, about
/// u |L| / h with u = 1.1e-16, about 1e-10 for the |L| of 1 to 10 these checks have. h = 1e-6 would
/// make the rounding part ten times larger, h = 1e-4 the truncation part a hundred times. So an
/// entry passes when |difference| &lt;= 1e-6 (|a| + |n|) + 1e-8: the relative part sits fifty times
/// above that worst truncation error, the absolute part a hundred times above the rounding error,
/// which it covers where a derivative is near 0. To keep that true, the check refuses an output whose sum of
/// |upstream x output| exceeds 1e3 (rounding would then reach 1e-8). A wrong term in a backward pass
/// (a dropped factor, a wrong sign, a missed path) is off by percents, thousands of times the
/// tolerance; even one term of the cosine's memory gradient scaled by 0.999 fails by a factor of
/// hundreds. Observed: the worst entry of every kernel check is within 1% of its tolerance, that of
/// the whole-machine checks (tests/Ntm.Tests/Model/GradientCheckTests.cs) about 1%.
/// </para>
/// <para>
/// Beyond the values, every check also runs the backward a second time on buffers pre-filled with
/// random numbers: an <see cref="GradientMode.Accumulates"/> input must come back holding the
/// pre-filled values plus its gradient, an <see cref="GradientMode.Overwrites"/> input its gradient
/// alone, a <see cref="GradientMode.Fixed"/> input the pre-filled values untouched. It checks that
/// neither forward nor backward changes its inputs or the upstream gradients, and that every input
/// that is checked moves L (a numeric gradient of all zeros would mean the check tests nothing).
/// </para>
/// <para>
/// The points are the caller's: each check draws its inputs at random away from the places where the
/// kernel's function has a kink or leaves its domain, and says so where it restricts them.
/// </para>
/// </summary>
internal sealed class FiniteDifference
{
    /// <summary>Central-difference step (see the class summary).</summary>
    public double Step { get; init; } = 1e-5;

    /// <summary>Relative part of the tolerance, on |analytic| + |numeric|.</summary>
    public double RelativeTolerance { get; init; } = 1e-6;

    /// <summary>Absolute part of the tolerance.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-8;

    /// <summary>Seed of the upstream gradients and the pre-filled buffers.</summary>
    public ulong Seed { get; init; } = 1;

    private readonly List<(string Name, double[] Values, GradientMode Mode)> _inputs = [];

    /// <summary>Declares an input. The harness perturbs <paramref name="values"/> in place and restores it.</summary>
    public FiniteDifference Input(string name, double[] values, GradientMode mode = GradientMode.Accumulates)
    {
        if (_inputs.Any(i => i.Name == name)) throw new ArgumentException($"Input {name} is declared twice.", nameof(name));
        _inputs.Add((name, values, mode));
        return this;
    }

    /// <summary>
    /// Runs the check and fails the test on the first kind of error it finds, naming the input, the
    /// entry and both values. Returns the analytic gradients (from zeroed buffers) by input name.
    /// </summary>
    /// <param name="forward">Maps the inputs (by name) to the outputs (by name). Must not change the inputs.</param>
    /// <param name="backward">
    /// Given the inputs, the upstream gradient of every output (by output name) and a gradient
    /// buffer for every input (by input name), leaves dL/dx in each buffer as the input's
    /// <see cref="GradientMode"/> says. Must not change the inputs or the upstream gradients.
    /// </param>
    public Dictionary<string, double[]> Check(
        Func<IReadOnlyDictionary<string, double[]>, Dictionary<string, double[]>> forward,
        Action<IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>> backward)
    {
        Assert.NotEmpty(_inputs);
        var inputs = _inputs.ToDictionary(i => i.Name, i => i.Values);
        var snapshot = _inputs.ToDictionary(i => i.Name, i => (double[])i.Values.Clone());
        var rng = new Rng(Seed);

        Dictionary<string, double[]> outputs = forward(inputs);
        Assert.NotEmpty(outputs);
        var upstream = new Dictionary<string, double[]>();
        foreach ((string name, double[] y) in outputs)
        {
            var u = new double[y.Length];
            for (int i = 0; i < u.Length; i++) u[i] = (rng.NextBit() ? 1 : -1) * rng.NextDouble(0.5, 1.5);
            upstream[name] = u;
            double scale = 0;
            for (int i = 0; i < y.Length; i++)
            {
                Assert.True(double.IsFinite(y[i]), $"output {name}[{i}] is {y[i]}");
                scale += Math.Abs(u[i] * y[i]);
            }
            Assert.True(scale <= 1e3, $"output {name}: sum |upstream x output| = {scale:G3} is too large for the absolute tolerance");
        }
        var upstreamSnapshot = upstream.ToDictionary(p => p.Key, p => (double[])p.Value.Clone());
        Unchanged(inputs, snapshot, "the forward pass changed input");

        // The analytic gradient, from zeroed buffers.
        var analytic = _inputs.ToDictionary(i => i.Name, i => new double[i.Values.Length]);
        backward(inputs, upstream, analytic);
        Unchanged(inputs, snapshot, "the backward pass changed input");
        Unchanged(upstream, upstreamSnapshot, "the backward pass changed the upstream gradient of output");
        foreach ((string name, _, GradientMode mode) in _inputs)
        {
            double[] g = analytic[name];
            for (int i = 0; i < g.Length; i++)
            {
                Assert.True(double.IsFinite(g[i]), $"analytic gradient {name}[{i}] is {g[i]}");
                if (mode == GradientMode.Fixed) Assert.True(g[i] == 0, $"fixed input {name}[{i}] got gradient {g[i]:R}");
            }
        }

        CheckBufferContract(inputs, upstream, analytic, backward, rng);

        // Central differences, every entry of every input that is not fixed.
        double Loss()
        {
            Dictionary<string, double[]> y = forward(inputs);
            double l = 0;
            foreach ((string name, double[] u) in upstream)
            {
                double[] v = y[name];
                Assert.Equal(u.Length, v.Length);
                for (int i = 0; i < u.Length; i++) l += u[i] * v[i];
            }
            return l;
        }
        var failures = new List<(double Ratio, string Text)>();
        int checkedEntries = 0;
        foreach ((string name, double[] x, GradientMode mode) in _inputs)
        {
            if (mode == GradientMode.Fixed) continue;
            double largest = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double keep = x[i];
                x[i] = keep + Step;
                double up = Loss();
                x[i] = keep - Step;
                double down = Loss();
                x[i] = keep;
                double numeric = (up - down) / (2 * Step), a = analytic[name][i];
                largest = Math.Max(largest, Math.Abs(numeric));
                double tolerance = RelativeTolerance * (Math.Abs(a) + Math.Abs(numeric)) + AbsoluteTolerance;
                double ratio = Math.Abs(a - numeric) / tolerance;
                checkedEntries++;
                if (!(ratio <= 1))
                    failures.Add((ratio, $"{name}[{i}]: analytic {a:R}, numeric {numeric:R}, difference {a - numeric:G3}, tolerance {tolerance:G3}"));
            }
            Assert.True(largest > 100 * AbsoluteTolerance,
                $"input {name} does not move the outputs (largest numeric derivative {largest:G3}): the check tests nothing");
        }
        Unchanged(inputs, snapshot, "the perturbations were not undone on input");
        if (failures.Count > 0)
        {
            var text = new StringBuilder($"{failures.Count} of {checkedEntries} gradient entries differ from central differences (h = {Step:G3}); worst first:");
            foreach ((_, string line) in failures.OrderByDescending(f => f.Ratio).Take(12)) text.Append('\n').Append(line);
            Assert.Fail(text.ToString());
        }
        return analytic;
    }

    // Runs the backward again on buffers pre-filled with random values and checks each input's mode.
    private void CheckBufferContract(Dictionary<string, double[]> inputs, Dictionary<string, double[]> upstream,
        Dictionary<string, double[]> analytic,
        Action<IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>, IReadOnlyDictionary<string, double[]>> backward,
        Rng rng)
    {
        var prefill = _inputs.ToDictionary(i => i.Name, i => Enumerable.Range(0, i.Values.Length).Select(_ => rng.NextDouble(-1, 1)).ToArray());
        var buffers = prefill.ToDictionary(p => p.Key, p => (double[])p.Value.Clone());
        backward(inputs, upstream, buffers);
        foreach ((string name, _, GradientMode mode) in _inputs)
        {
            double[] before = prefill[name], after = buffers[name], g = analytic[name];
            for (int i = 0; i < g.Length; i++)
            {
                switch (mode)
                {
                    case GradientMode.Fixed:
                        Assert.True(after[i] == before[i], $"fixed input {name}[{i}]: the backward changed its buffer from {before[i]:R} to {after[i]:R}");
                        break;
                    case GradientMode.Accumulates:
                        Assert.True(Close(after[i] - before[i], g[i]),
                            $"{name}[{i}] should accumulate: buffer {before[i]:R} became {after[i]:R}, a change of {after[i] - before[i]:R}, not the gradient {g[i]:R}");
                        break;
                    default:
                        Assert.True(Close(after[i], g[i]),
                            $"{name}[{i}] should be overwritten: buffer {before[i]:R} became {after[i]:R}, not the gradient {g[i]:R}");
                        break;
                }
            }
        }
    }

    private bool Close(double a, double b) => Math.Abs(a - b) <= RelativeTolerance * (Math.Abs(a) + Math.Abs(b)) + AbsoluteTolerance;

    private static void Unchanged(Dictionary<string, double[]> now, Dictionary<string, double[]> before, string what)
    {
        foreach ((string name, double[] b) in before)
        {
            double[] a = now[name];
            for (int i = 0; i < b.Length; i++)
                Assert.True(a[i].Equals(b[i]), $"{what} {name}[{i}]: {b[i]:R} became {a[i]:R}");
        }
    }

    /// <summary><paramref name="count"/> values uniform in [min, max).</summary>
    public static double[] Uniform(Rng rng, int count, double min, double max)
        => Enumerable.Range(0, count).Select(_ => rng.NextDouble(min, max)).ToArray();

    /// <summary>
    /// A weighting (positive, summing to 1) with every entry at least a fifth of the largest: far from 0,
    /// where sharpening's logarithm and the kernels' "is a distribution" assumptions break down.
    /// </summary>
    public static double[] Weighting(Rng rng, int count)
    {
        double[] w = Uniform(rng, count, 0.2, 1);
        double sum = w.Sum();
        for (int i = 0; i < count; i++) w[i] /= sum;
        return w;
    }
}
