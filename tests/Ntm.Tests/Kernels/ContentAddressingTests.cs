using Ntm.Addressing;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>Known values of content addressing (paper eq. 5-6): cosine similarity, then softmax(beta K).</summary>
public sealed class ContentAddressingTests
{
    // Memory rows [1,0], [0,1], [-1,0]: norms 1, 1, 1.
    private static readonly double[] Memory = [1, 0, 0, 1, -1, 0];

    private static (double[] Sim, double[] Wc, double KeyNorm) Run(double[] key, double beta, double[] memory)
    {
        int n = memory.Length / key.Length;
        var norms = new double[n];
        ContentAddressing.RowNorms<double>(memory, key.Length, norms);
        var sim = new double[n];
        var wc = new double[n];
        double keyNorm = ContentAddressing.Forward<double>(key, beta, memory, norms, sim, wc);
        return (sim, wc, keyNorm);
    }

    [Fact]
    public void Row_norms_are_euclidean()
    {
        var norms = new double[3];
        ContentAddressing.RowNorms<double>([3, 4, 0, 0, 1, 1], 2, norms);
        KernelAssert.Close([5, 0, Math.Sqrt(2)], norms, 1e-15);
    }

    [Fact]
    public void Cosine_similarity_of_a_unit_key_with_three_rows()
    {
        // K = k.M(i) / (|k| |M(i)| + 1e-8): 1/(1 + 1e-8), 0/(1 + 1e-8), -1/(1 + 1e-8).
        var (sim, _, keyNorm) = Run([1, 0], 1, Memory);
        KernelAssert.Close([1 / (1 + 1e-8), 0, -1 / (1 + 1e-8)], sim, 1e-15);
        Assert.Equal(1.0, keyNorm);
    }

    [Fact]
    public void Beta_one_gives_the_softmax_of_the_similarities()
    {
        // softmax([1, 0, -1]) = [e, 1, 1/e] / (e + 1 + 1/e)
        //   e + 1 + 1/e = 2.718281828 + 1 + 0.367879441 = 4.086161270
        //   -> [2.718281828 / 4.086161270, 1 / 4.086161270, 0.367879441 / 4.086161270]
        //   =  [0.665240956, 0.244728471, 0.090030573]
        // The 1e-8 epsilon moves K by 1e-8, the weights by less than 1e-8.
        var (_, wc, _) = Run([1, 0], 1, Memory);
        KernelAssert.Close([0.665240956, 0.244728471, 0.090030573], wc, 2e-8);
    }

    [Fact]
    public void Beta_zero_gives_the_uniform_weighting()
    {
        // softmax(0 * K) = softmax([0, 0, 0]) = [1/3, 1/3, 1/3] whatever the key.
        var (_, wc, _) = Run([1, 0], 0, Memory);
        KernelAssert.Close([1.0 / 3, 1.0 / 3, 1.0 / 3], wc, 1e-15);
    }

    [Fact]
    public void Large_beta_focuses_on_the_most_similar_row()
    {
        // beta = 100: softmax([100, 0, -100]) = [1 / (1 + e^-100 + e^-200), ...] = [1 - 3.7e-44, 3.7e-44, 1.4e-87].
        var (_, wc, _) = Run([1, 0], 100, Memory);
        KernelAssert.Close([1, 0, 0], wc, 1e-40);
    }

    [Fact]
    public void Similarity_does_not_depend_on_the_scale_of_key_or_rows()
    {
        // key [3, 4] (|k| = 5), rows [6, 8] (cos 1), [4, -3] (cos 0), [-0.3, -0.4] (cos -1):
        // the same similarities [1, 0, -1] up to the epsilon, so the same weights as above.
        var (sim, wc, keyNorm) = Run([3, 4], 1, [6, 8, 4, -3, -0.3, -0.4]);
        Assert.Equal(5.0, keyNorm);
        KernelAssert.Close([1, 0, -1], sim, 1e-8);
        KernelAssert.Close([0.665240956, 0.244728471, 0.090030573], wc, 2e-8);
    }

    [Fact]
    public void Float_matches_the_table()
    {
        var norms = new float[3];
        float[] memory = [1, 0, 0, 1, -1, 0];
        ContentAddressing.RowNorms<float>(memory, 2, norms);
        var sim = new float[3];
        var wc = new float[3];
        ContentAddressing.Forward<float>([1f, 0f], 1f, memory, norms, sim, wc);
        KernelAssert.Close([0.665240956, 0.244728471, 0.090030573], wc, 1e-6);
    }

    [Theory]
    [InlineData(4, 3, 1)]
    [InlineData(6, 5, 2)]
    [InlineData(3, 8, 3)]
    public void Backward_matches_central_differences(int n, int m, int seed)
    {
        // Key and memory entries in [-1, 1]: with M >= 3 no row or key norm comes near 0, where the
        // norm has no derivative. The row norms are recomputed from the memory inside the forward:
        // Backward accounts for their dependence on the memory, so the check perturbs the memory and
        // lets the norms follow. Only wc is an output; the similarity and |k| are what Backward reuses.
        var rng = new Rng((ulong)seed);
        new FiniteDifference()
            .Input("key", FiniteDifference.Uniform(rng, m, -1, 1))
            .Input("beta", [rng.NextDouble(0.5, 5)], GradientMode.Overwrites)   // returned by Backward
            .Input("memory", FiniteDifference.Uniform(rng, n * m, -1, 1))
            .Check(
                x => new() { ["wc"] = Forward(x).Wc },
                (x, dy, dx) =>
                {
                    var (norms, sim, wc, keyNorm) = Forward(x);
                    dx["beta"][0] = ContentAddressing.Backward<double>(dx["key"], dx["memory"], dy["wc"], x["key"], x["beta"][0], keyNorm,
                        x["memory"], norms, sim, wc, new double[n]);
                });

        static (double[] Norms, double[] Sim, double[] Wc, double KeyNorm) Forward(IReadOnlyDictionary<string, double[]> x)
        {
            int m = x["key"].Length, n = x["memory"].Length / m;
            var norms = new double[n];
            ContentAddressing.RowNorms<double>(x["memory"], m, norms);
            var sim = new double[n];
            var wc = new double[n];
            double keyNorm = ContentAddressing.Forward<double>(x["key"], x["beta"][0], x["memory"], norms, sim, wc);
            return (norms, sim, wc, keyNorm);
        }
    }
}
