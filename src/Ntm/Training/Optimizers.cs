using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Serialization;

namespace Ntm.Training;

/// <summary>Which update rule the trainer applies; spelled as <see cref="Io.EnumSpelling"/> says in files and on the command line.</summary>
[JsonConverter(typeof(Io.EnumSpellingConverter))]
public enum OptimizerKind
{
    /// <summary>RMSProp in the form of Graves 2013 (eq. 38-41) with momentum: the paper's optimiser.</summary>
    RmsProp,
    /// <summary>Adam (Kingma and Ba 2015).</summary>
    Adam,
}

/// <summary>An update rule over the flat parameter buffer. Its state is a list of named buffers for checkpoints.</summary>
internal abstract class Optimizer
{
    /// <summary>The learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of updates applied so far.</summary>
    public long Steps { get; protected set; }

    /// <summary>Creates the optimiser with its learning rate.</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new InvalidConfigurationException($"The learning rate must be a positive number, got {learningRate}.");
        LearningRate = learningRate;
    }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradient"/>.</summary>
    public void Update(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        CheckLengths(parameters, gradient);
        UpdateRange(parameters, gradient, 0, parameters.Length);
        Steps++;
    }

    /// <summary>
    /// Update number <see cref="Steps"/> + 1 of the entries [start, end) only, leaving <see cref="Steps"/> as it
    /// is: threads can each update a range, then one calls <see cref="CompleteStep"/>. Every entry gets the
    /// same arithmetic whichever range it lies in, so the split does not change the numbers.
    /// </summary>
    internal abstract void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, int start, int end);

    /// <summary>Counts an update made by <see cref="UpdateRange"/> calls over every entry.</summary>
    internal void CompleteStep() => Steps++;

    /// <summary>Throws when the gradient or the state does not cover every parameter.</summary>
    protected abstract void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradient);

    /// <summary>The optimiser's state buffers by name (for checkpoints), live: writing into them restores state.</summary>
    public abstract IReadOnlyList<(string Name, float[] Buffer)> State { get; }

    /// <summary>Restores the update count (with <see cref="State"/>'s buffers, the whole state).</summary>
    public void RestoreSteps(long steps)
    {
        if (steps < 0) throw new InvalidConfigurationException($"An optimiser step count cannot be negative ({steps}).");
        Steps = steps;
    }

    /// <summary>Creates an optimiser of the given kind for <paramref name="count"/> parameters.</summary>
    public static Optimizer Create(OptimizerKind kind, int count, float learningRate) => kind switch
    {
        OptimizerKind.RmsProp => new RmsPropOptimizer(count, learningRate),
        OptimizerKind.Adam => new AdamOptimizer(count, learningRate),
        _ => throw new InvalidConfigurationException($"Unknown optimiser {kind}."),
    };
}

/// <summary>
/// RMSProp as in Graves 2013, "Generating sequences with recurrent neural networks", eq. 38-41:
/// n = a n + (1 - a) g^2; m = a m + (1 - a) g; d = b d - lr g / sqrt(n - m^2 + eps); w += d,
/// with decay a = 0.95, momentum b = 0.9 and eps = 1e-4 (the values of that paper and of the NTM paper).
/// </summary>
internal sealed class RmsPropOptimizer : Optimizer
{
    /// <summary>Decay of the running averages (Graves 2013: 0.95).</summary>
    public const float Decay = 0.95f;
    /// <summary>Momentum (Graves 2013 and the NTM paper: 0.9).</summary>
    public const float Momentum = 0.9f;
    /// <summary>Added under the square root (Graves 2013: 1e-4).</summary>
    public const float Epsilon = 1e-4f;

    private readonly float[] _n, _m, _d;

    /// <summary>Creates the optimiser for <paramref name="count"/> parameters.</summary>
    public RmsPropOptimizer(int count, float learningRate) : base(learningRate)
    {
        _n = new float[count];
        _m = new float[count];
        _d = new float[count];
    }

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, float[] Buffer)> State => [("rmsprop.n", _n), ("rmsprop.g", _m), ("rmsprop.delta", _d)];

    /// <inheritdoc />
    protected override void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length < parameters.Length || _n.Length < parameters.Length)
            throw new ArgumentException("The gradient and the optimiser state must cover every parameter.");
    }

    /// <inheritdoc />
    internal override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, int start, int end)
    {
        float lr = LearningRate;
        CheckLengths(parameters, gradient);
        if (start < 0 || end > parameters.Length || start > end) throw new ArgumentOutOfRangeException(nameof(end));
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            // The same arithmetic as the scalar loop below, eight parameters at a time.
            ref float p = ref MemoryMarshal.GetReference(parameters);
            ref float gr = ref MemoryMarshal.GetReference(gradient);
            ref float pn = ref MemoryMarshal.GetArrayDataReference(_n);
            ref float pm = ref MemoryMarshal.GetArrayDataReference(_m);
            ref float pd = ref MemoryMarshal.GetArrayDataReference(_d);
            var decay = Vector256.Create(Decay);
            var keep = Vector256.Create(1 - Decay);
            var mom = Vector256.Create(Momentum);
            var rate = Vector256.Create(lr);
            var eps = Vector256.Create(Epsilon);
            for (; i <= end - 8; i += 8)
            {
                nuint o = (nuint)i;
                Vector256<float> g = Vector256.LoadUnsafe(ref gr, o);
                Vector256<float> n = decay * Vector256.LoadUnsafe(ref pn, o) + keep * g * g;
                Vector256<float> m = decay * Vector256.LoadUnsafe(ref pm, o) + keep * g;
                Vector256<float> d = mom * Vector256.LoadUnsafe(ref pd, o) - rate * g / Vector256.Sqrt(n - m * m + eps);
                n.StoreUnsafe(ref pn, o);
                m.StoreUnsafe(ref pm, o);
                d.StoreUnsafe(ref pd, o);
                (Vector256.LoadUnsafe(ref p, o) + d).StoreUnsafe(ref p, o);
            }
        }
        for (; i < end; i++)
        {
            float g = gradient[i];
            float n = _n[i] = Decay * _n[i] + (1 - Decay) * g * g;
            float m = _m[i] = Decay * _m[i] + (1 - Decay) * g;
            float d = _d[i] = Momentum * _d[i] - lr * g / MathF.Sqrt(n - m * m + Epsilon);
            parameters[i] += d;
        }
    }
}

/// <summary>Adam (Kingma and Ba 2015) with the paper's defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8.</summary>
internal sealed class AdamOptimizer : Optimizer
{
    /// <summary>First-moment decay (Kingma and Ba: 0.9).</summary>
    public const float Beta1 = 0.9f;
    /// <summary>Second-moment decay (Kingma and Ba: 0.999).</summary>
    public const float Beta2 = 0.999f;
    /// <summary>Added to the denominator (Kingma and Ba: 1e-8).</summary>
    public const float Epsilon = 1e-8f;

    private readonly float[] _m, _v;

    /// <summary>Creates the optimiser for <paramref name="count"/> parameters.</summary>
    public AdamOptimizer(int count, float learningRate) : base(learningRate)
    {
        _m = new float[count];
        _v = new float[count];
    }

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, float[] Buffer)> State => [("adam.m", _m), ("adam.v", _v)];

    /// <inheritdoc />
    protected override void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length < parameters.Length || _m.Length < parameters.Length)
            throw new ArgumentException("The gradient and the optimiser state must cover every parameter.");
    }

    /// <inheritdoc />
    internal override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, int start, int end)
    {
        long t = Steps + 1;
        float c1 = 1 - MathF.Pow(Beta1, t), c2 = 1 - MathF.Pow(Beta2, t);
        float step = LearningRate * MathF.Sqrt(c2) / c1;
        CheckLengths(parameters, gradient);
        if (start < 0 || end > parameters.Length || start > end) throw new ArgumentOutOfRangeException(nameof(end));
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            // The same arithmetic as the scalar loop below, eight parameters at a time.
            ref float p = ref MemoryMarshal.GetReference(parameters);
            ref float gr = ref MemoryMarshal.GetReference(gradient);
            ref float pm = ref MemoryMarshal.GetArrayDataReference(_m);
            ref float pv = ref MemoryMarshal.GetArrayDataReference(_v);
            var b1 = Vector256.Create(Beta1);
            var k1 = Vector256.Create(1 - Beta1);
            var b2 = Vector256.Create(Beta2);
            var k2 = Vector256.Create(1 - Beta2);
            var stepV = Vector256.Create(step);
            var eps = Vector256.Create(Epsilon);
            for (; i <= end - 8; i += 8)
            {
                nuint o = (nuint)i;
                Vector256<float> g = Vector256.LoadUnsafe(ref gr, o);
                Vector256<float> m = b1 * Vector256.LoadUnsafe(ref pm, o) + k1 * g;
                Vector256<float> v = b2 * Vector256.LoadUnsafe(ref pv, o) + k2 * g * g;
                m.StoreUnsafe(ref pm, o);
                v.StoreUnsafe(ref pv, o);
                (Vector256.LoadUnsafe(ref p, o) - stepV * m / (Vector256.Sqrt(v) + eps)).StoreUnsafe(ref p, o);
            }
        }
        for (; i < end; i++)
        {
            float g = gradient[i];
            float m = _m[i] = Beta1 * _m[i] + (1 - Beta1) * g;
            float v = _v[i] = Beta2 * _v[i] + (1 - Beta2) * g * g;
            parameters[i] -= step * m / (MathF.Sqrt(v) + Epsilon);
        }
    }
}

/// <summary>Gradient clipping.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// Euclidean norm, finite whenever every entry is: when the sum of squares overflows float32 it
    /// is recomputed as max|g| times the norm of g / max|g|. Infinity or NaN when an entry is.
    /// </summary>
    public static float Norm(ReadOnlySpan<float> gradient)
    {
        float norm = TensorPrimitives.Norm(gradient);
        if (!float.IsPositiveInfinity(norm)) return norm;
        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(gradient));   // MaxMagnitude keeps the sign
        if (!float.IsFinite(max)) return max;
        double sum = 0;
        foreach (float v in gradient) { double r = v / (double)max; sum += r * r; }
        return (float)Math.Min(float.MaxValue, max * Math.Sqrt(sum));
    }

    /// <summary>Clamps every element to [-limit, limit] (the paper: 10).</summary>
    public static void ClipElements(Span<float> gradient, float limit)
        => TensorPrimitives.Clamp(gradient, -limit, limit, gradient);

    /// <summary>Scales the whole gradient down so its Euclidean norm is at most <paramref name="maxNorm"/>; returns the norm before.</summary>
    public static float ClipGlobalNorm(Span<float> gradient, float maxNorm)
    {
        float norm = Norm(gradient);
        if (norm > maxNorm && norm > 0) TensorPrimitives.Multiply(gradient, maxNorm / norm, gradient);
        return norm;
    }
}
