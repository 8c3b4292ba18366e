using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ntm.Numerics;

/// <summary>
/// The vector operations the <see cref="Gemm"/> kernels need, implemented once per width (512,
/// 256 bits, and a one-lane scalar stand-in), so a kernel is written once and the JIT compiles a
/// specialised copy per width. Every member inlines.
/// </summary>
internal interface IGemmVector<TSelf> where TSelf : struct, IGemmVector<TSelf>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }
    /// <summary>All lanes zero.</summary>
    static abstract TSelf Zero { get; }
    /// <summary>Loads Count floats at p + offset.</summary>
    static abstract TSelf Load(ref float p, nuint offset);
    /// <summary>Stores Count floats at p + offset.</summary>
    static abstract void Store(TSelf v, ref float p, nuint offset);
    /// <summary>Every lane s.</summary>
    static abstract TSelf Broadcast(float s);
    /// <summary>a * b + c (fused for the vector widths, two roundings for the scalar stand-in).</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    /// <summary>a + b.</summary>
    static abstract TSelf Add(TSelf a, TSelf b);
    /// <summary>a * b.</summary>
    static abstract TSelf Multiply(TSelf a, TSelf b);
    /// <summary>Every bit set.</summary>
    static abstract TSelf AllOnes { get; }
    /// <summary>A mask with the lanes at and above <paramref name="first"/> set, the others clear.</summary>
    static abstract TSelf MaskFrom(int first);
    /// <summary>a and mask, bit by bit.</summary>
    static abstract TSelf And(TSelf a, TSelf mask);
    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TSelf a);
    /// <summary>(Sum(a), Sum(b), Sum(c), Sum(d)), each in a fixed order.</summary>
    static abstract Vector128<float> Sum4(TSelf a, TSelf b, TSelf c, TSelf d);
}

/// <summary>512-bit vectors of 16 floats.</summary>
internal readonly struct Gemm512 : IGemmVector<Gemm512>
{
    private readonly Vector512<float> _v;
    private Gemm512(Vector512<float> v) => _v = v;

    public static int Count => Vector512<float>.Count;
    public static Gemm512 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 Load(ref float p, nuint offset) => new(Vector512.LoadUnsafe(ref p, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Gemm512 v, ref float p, nuint offset) => v._v.StoreUnsafe(ref p, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 Broadcast(float s) => new(Vector512.Create(s));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 Fma(Gemm512 a, Gemm512 b, Gemm512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 Add(Gemm512 a, Gemm512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 Multiply(Gemm512 a, Gemm512 b) => new(a._v * b._v);
    public static Gemm512 AllOnes => new(Vector512<float>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 MaskFrom(int first) => new(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(first)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm512 And(Gemm512 a, Gemm512 mask) => new(a._v & mask._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Gemm512 a) => Gemm256.Sum(Half(a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Gemm512 a, Gemm512 b, Gemm512 c, Gemm512 d) => Gemm256.Sum4(Half(a), Half(b), Half(c), Half(d));

    // The two 256-bit halves added: lane i is a[i] + a[i + 8].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Gemm256 Half(Gemm512 a) => Gemm256.From(a._v.GetLower() + a._v.GetUpper());
}

/// <summary>256-bit vectors of 8 floats.</summary>
internal readonly struct Gemm256 : IGemmVector<Gemm256>
{
    private readonly Vector256<float> _v;
    private Gemm256(Vector256<float> v) => _v = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Gemm256 From(Vector256<float> v) => new(v);

    public static int Count => Vector256<float>.Count;
    public static Gemm256 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 Load(ref float p, nuint offset) => new(Vector256.LoadUnsafe(ref p, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Gemm256 v, ref float p, nuint offset) => v._v.StoreUnsafe(ref p, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 Broadcast(float s) => new(Vector256.Create(s));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 Fma(Gemm256 a, Gemm256 b, Gemm256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 Add(Gemm256 a, Gemm256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 Multiply(Gemm256 a, Gemm256 b) => new(a._v * b._v);
    public static Gemm256 AllOnes => new(Vector256<float>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 MaskFrom(int first) => new(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(first)).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm256 And(Gemm256 a, Gemm256 mask) => new(a._v & mask._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Gemm256 a)
    {
        Vector128<float> h = a._v.GetLower() + a._v.GetUpper();
        return (h.GetElement(0) + h.GetElement(2)) + (h.GetElement(1) + h.GetElement(3));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Gemm256 a, Gemm256 b, Gemm256 c, Gemm256 d)
    {
        if (Avx.IsSupported)
        {
            // hadd(hadd(a, b), hadd(c, d)) holds, per 128-bit lane, the four vectors' partial sums in order.
            Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(a._v, b._v), Avx.HorizontalAdd(c._v, d._v));
            return h.GetLower() + h.GetUpper();
        }
        return Vector128.Create(Sum(a), Sum(b), Sum(c), Sum(d));
    }
}

/// <summary>One float: the scalar fall-back, with a separate multiply and add as plain C# computes them.</summary>
internal readonly struct Gemm1 : IGemmVector<Gemm1>
{
    private readonly float _v;
    private Gemm1(float v) => _v = v;

    public static int Count => 1;
    public static Gemm1 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 Load(ref float p, nuint offset) => new(Unsafe.Add(ref p, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Gemm1 v, ref float p, nuint offset) => Unsafe.Add(ref p, offset) = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 Broadcast(float s) => new(s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 Fma(Gemm1 a, Gemm1 b, Gemm1 c) => new(c._v + a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 Add(Gemm1 a, Gemm1 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 Multiply(Gemm1 a, Gemm1 b) => new(a._v * b._v);
    public static Gemm1 AllOnes => new(BitConverter.Int32BitsToSingle(-1));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 MaskFrom(int first) => first <= 0 ? AllOnes : default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Gemm1 And(Gemm1 a, Gemm1 mask)
        => new(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a._v) & BitConverter.SingleToInt32Bits(mask._v)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Gemm1 a) => a._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Gemm1 a, Gemm1 b, Gemm1 c, Gemm1 d) => Vector128.Create(a._v, b._v, c._v, d._v);
}

/// <summary>A tile dimension fixed at compile time, so unused accumulators and branches vanish from each specialisation.</summary>
internal interface ITileSize
{
    /// <summary>The dimension, 1 to 4.</summary>
    static abstract int N { get; }
}

internal readonly struct Tile1 : ITileSize { public static int N => 1; }
internal readonly struct Tile2 : ITileSize { public static int N => 2; }
internal readonly struct Tile3 : ITileSize { public static int N => 3; }
internal readonly struct Tile4 : ITileSize { public static int N => 4; }
