using System.Runtime.InteropServices;

namespace Ntm.Benchmarks;

/// <summary>
/// Single-threaded OpenBLAS <c>cblas_sgemm</c>, loaded at run time from the system's library
/// (Debian: <c>apt-get install libopenblas0</c>) for comparison only; the library never uses it.
/// When no OpenBLAS is found, <see cref="Available"/> is false and <see cref="Missing"/> says why.
/// </summary>
internal static unsafe class OpenBlas
{
    public const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly string[] Names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll"];
    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm;

    public static bool Available { get; }
    public static string Missing { get; } = "";
    public static string Library { get; } = "";
    /// <summary>The kernel family OpenBLAS chose for this processor (openblas_get_corename), or empty.</summary>
    public static string Core { get; } = "";

    static OpenBlas()
    {
        foreach (string name in Names)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint sgemm))
            {
                Missing = $"{name} has no cblas_sgemm";
                continue;
            }
            // One thread, like our kernels in one shard.
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
                ((delegate* unmanaged<int, void>)setThreads)(1);
            Sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            Library = name;
            if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint core))
                Core = Marshal.PtrToStringAnsi(((delegate* unmanaged<nint>)core)()) ?? "";
            Available = true;
            return;
        }
        if (Missing.Length == 0) Missing = $"none of {string.Join(", ", Names)} could be loaded";
    }

    // Row-major C (m x n) = alpha op(A) op(B) + beta C, op(A) (m x k), op(B) (k x n).
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda,
        float[] b, int ldb, float beta, float[] c, int ldc)
    {
        if (!Available) throw new InvalidOperationException("OpenBLAS is not loaded: " + Missing);
        fixed (float* pa = a, pb = b, pc = c)
            Sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
