namespace Ntm.Numerics;

/// <summary>
/// A small, fast, seedable random generator (xoshiro256**, Blackman and Vigna 2018) whose whole
/// state can be read and restored, so that a checkpointed training run continues with exactly the
/// random numbers an uninterrupted run would have drawn. <see cref="System.Random"/> cannot do that.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a seed; the same seed always gives the same stream.</summary>
    public Rng(ulong seed)
    {
        // SplitMix64 expands the seed into four non-zero state words (the generator's authors' advice).
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private Rng(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The four state words; pass them to <see cref="FromState"/> to continue the stream.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a generator from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state is not four words or is all zero.</exception>
    public static Rng FromState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4)
            throw new ArgumentException($"A random-generator state has 4 words, not {state.Length}.", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("A random-generator state cannot be all zero.", nameof(state));
        return new Rng(state[0], state[1], state[2], state[3]);
    }

    /// <summary>An independent generator derived from this one's next output (for per-worker streams).</summary>
    public Rng Split() => new(NextUInt64());

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>A uniform integer in [0, maxExclusive), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "The upper bound must be positive.");
        // Lemire's multiply-shift with rejection of the biased low products.
        uint range = (uint)maxExclusive;
        ulong m = (NextUInt64() >> 32) * range;
        uint low = (uint)m;
        if (low < range)
        {
            uint threshold = (uint)(-(int)range) % range;
            while (low < threshold)
            {
                m = (NextUInt64() >> 32) * range;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>A uniform integer in [minInclusive, maxInclusive].</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxInclusive), $"The range [{minInclusive}, {maxInclusive}] is empty.");
        long width = (long)maxInclusive - minInclusive + 1;
        if (width <= int.MaxValue) return minInclusive + NextInt((int)width);
        // Wider than int: reject the top partial block of 64-bit draws so every value is equally likely.
        ulong w = (ulong)width, limit = ulong.MaxValue - ulong.MaxValue % w;
        ulong x;
        do x = NextUInt64(); while (x >= limit);
        return (int)(minInclusive + (long)(x % w));
    }

    /// <summary>A fair coin: true with probability 1/2.</summary>
    public bool NextBit() => (NextUInt64() >> 63) != 0;

    /// <summary>A standard normal sample (Box-Muller; one of the pair is discarded to keep no hidden state).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();   // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Gamma(shape, 1) sample (Marsaglia and Tsang 2000; shape &lt; 1 by the boost u^(1/shape)).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "The shape must be positive.");
        if (shape < 1)
        {
            double u = 1.0 - NextDouble();
            return NextGamma(shape + 1) * Math.Pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1.0 - NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
                return d * v;
        }
    }

    /// <summary>A Beta(a, b) sample from two Gamma samples.</summary>
    public double NextBeta(double a, double b)
    {
        double x = NextGamma(a), y = NextGamma(b);
        double s = x + y;
        return s > 0 ? x / s : NextDouble() < a / (a + b) ? 1.0 : 0.0;
    }
}
