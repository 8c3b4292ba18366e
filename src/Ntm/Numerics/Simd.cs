using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ntm.Numerics;

/// <summary>
/// Short-vector helpers for the hot loops, generic over the float type so that the very code that
/// trains in single precision is the code the gradient checks run in double precision. Each one
/// walks 256-bit vectors, then one 128-bit vector, then scalars, so a memory row of 20 floats is
/// two 8-wide steps and one 4-wide step with no call overhead (the helpers inline).
/// </summary>
internal static class Simd
{
    /// <summary>True when 256-bit vectors of <typeparamref name="T"/> run in hardware.</summary>
    public static bool Enabled<T>() where T : unmanaged
        => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && Vector128<T>.IsSupported;

    /// <summary>a * b + c, fused when the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        return a * b + c;
    }

    /// <summary>a * b + c, fused when the processor can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector128.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector128.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        return a * b + c;
    }

    /// <summary>Sum of a[i] b[i] over a.Length entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = a.Length, i = 0;
        if (b.Length < n) throw new ArgumentException("Spans differ in length.", nameof(b));
        ref T pa = ref MemoryMarshal.GetReference(a);
        ref T pb = ref MemoryMarshal.GetReference(b);
        T sum = T.Zero;
        if (Enabled<T>())
        {
            Vector256<T> acc = Vector256<T>.Zero;
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                acc = Fma(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i), acc);
            Vector128<T> acc128 = acc.GetLower() + acc.GetUpper();
            if (i <= n - Vector128<T>.Count)
            {
                acc128 = Fma(Vector128.LoadUnsafe(ref pa, (nuint)i), Vector128.LoadUnsafe(ref pb, (nuint)i), acc128);
                i += Vector128<T>.Count;
            }
            sum = Vector128.Sum(acc128);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return sum;
    }

    /// <summary>y[i] += s x[i] over y.Length entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy<T>(T s, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = y.Length, i = 0;
        if (x.Length < n) throw new ArgumentException("Spans differ in length.", nameof(x));
        ref T px = ref MemoryMarshal.GetReference(x);
        ref T py = ref MemoryMarshal.GetReference(y);
        if (Enabled<T>())
        {
            Vector256<T> s256 = Vector256.Create(s);
            for (; i <= n - Vector256<T>.Count; i += Vector256<T>.Count)
                Fma(s256, Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
            if (i <= n - Vector128<T>.Count)
            {
                Fma(Vector128.Create(s), Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
                i += Vector128<T>.Count;
            }
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) += s * Unsafe.Add(ref px, i);
    }
}
