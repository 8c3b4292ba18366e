using Ntm.Numerics;

namespace Ntm.Model;

/// <summary>How a new machine's parameters are drawn. Every constant here has its reason beside it.</summary>
internal static class ParameterInit
{
    /// <summary>
    /// Logit given to row 0 of every head's initial weighting (the other rows get 0), so the first
    /// weighting is focused on row 0. With constant memory a uniform start would keep every row
    /// identical forever and the machine could never learn (see docs/equations.md, "symmetry").
    /// 10 puts 99.4% of the weight on row 0 of a 128-row memory.
    /// </summary>
    public const float InitialFocusLogit = 10f;

    /// <summary>LSTM forget-gate bias: 1 (Gers et al. 2000; Jozefowicz et al. 2015) so state is kept by default.</summary>
    public const float ForgetBias = 1f;

    /// <summary>Half-width of the uniform draw of the initial read vectors: small, so the first reads are near 0.</summary>
    public const float InitialReadScale = 0.01f;

    public static void Initialize(NtmConfig config, ParameterLayout layout, Span<float> values, Rng rng)
    {
        values.Clear();
        foreach (ParameterTensor t in layout.Tensors)
        {
            Span<float> v = values.Slice(t.Offset, t.Length);
            string name = t.Name;
            if (name.StartsWith("controller.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal))
            {
                // PyTorch's LSTM/Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
                Uniform(v, rng, 1.0 / Math.Sqrt(t.Shape[1]));
            }
            else if (name.StartsWith("controller.", StringComparison.Ordinal) && name.EndsWith(".bias", StringComparison.Ordinal))
            {
                if (config.Controller == ControllerKind.Lstm)
                    v.Slice(config.ControllerSize, config.ControllerSize).Fill(ForgetBias);
            }
            else if (name is "heads.weight" or "output.weight")
            {
                // Glorot and Bengio 2010: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
                Uniform(v, rng, Math.Sqrt(6.0 / (t.Shape[0] + t.Shape[1])));
            }
            else if (name == "init.read")
            {
                Uniform(v, rng, InitialReadScale);
            }
            else if (name == "init.weighting")
            {
                for (int h = 0; h < t.Shape[0]; h++)
                    v[h * t.Shape[1]] = InitialFocusLogit;
            }
            else if (name == "init.memory")
            {
                Uniform(v, rng, 1.0 / Math.Sqrt(config.MemoryRows + config.MemoryWidth));
            }
        }
    }

    private static void Uniform(Span<float> v, Rng rng, double a)
    {
        for (int i = 0; i < v.Length; i++) v[i] = (float)((2 * rng.NextDouble() - 1) * a);
    }
}
