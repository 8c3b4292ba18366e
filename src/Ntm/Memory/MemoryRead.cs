using System.Numerics;
using Ntm.Numerics;

namespace Ntm.Memory;

/// <summary>Reading (paper eq. 2): r = sum_i w(i) M(i).</summary>
internal static class MemoryRead
{
    // w is (N), memory is (N, M), r is (M)
    public static void Forward<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> memory, Span<T> r) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = r.Length;
        r.Clear();
        for (int i = 0; i < w.Length; i++)
            Simd.Axpy(w[i], memory.Slice(i * m, m), r);
    }

    // Reverses r = sum_i w(i) M(i): dw(i) += dr . M(i), dM(i) += w(i) dr.
    public static void Backward<T>(Span<T> dW, Span<T> dMemory, ReadOnlySpan<T> dR,
        ReadOnlySpan<T> w, ReadOnlySpan<T> memory) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = dR.Length;
        for (int i = 0; i < w.Length; i++)
        {
            dW[i] += Simd.Dot(dR, memory.Slice(i * m, m));
            Simd.Axpy(w[i], dR, dMemory.Slice(i * m, m));
        }
    }
}
