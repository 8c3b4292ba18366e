using System.Numerics;
using System.Numerics.Tensors;

namespace Ntm.Numerics;

/// <summary>
/// Batched affine maps y_b = W x_b + bias for the sequences of a shard, and their backward pass.
/// W is (rows, cols) row-major; X is (batch, xStride) with the input in the first cols entries of
/// each row; Y is (batch, yStride) with the output in the first rows entries of each row.
/// </summary>
internal static class Linear
{
    // W is (rows, cols), bias is (rows), X is (batch, xStride), Y is (batch, yStride)
    public static void Forward<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int rows, int cols,
        ReadOnlySpan<T> x, int xStride, Span<T> y, int yStride, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> xb = x.Slice(b * xStride, cols);
            Span<T> yb = y.Slice(b * yStride, rows);
            for (int r = 0; r < rows; r++)
                yb[r] = TensorPrimitives.Dot(w.Slice(r * cols, cols), xb) + bias[r];
        }
    }

    // Reverses y_b = W x_b + bias: dW += dY^T X, dBias += sum_b dY_b, dX_b += W^T dY_b (when dX is not empty).
    public static void Backward<T>(Span<T> dw, Span<T> dbias, Span<T> dx, int dxStride,
        ReadOnlySpan<T> w, int rows, int cols, ReadOnlySpan<T> x, int xStride,
        ReadOnlySpan<T> dy, int dyStride, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> xb = x.Slice(b * xStride, cols);
            ReadOnlySpan<T> dyb = dy.Slice(b * dyStride, rows);
            bool wantDx = !dx.IsEmpty;
            Span<T> dxb = wantDx ? dx.Slice(b * dxStride, cols) : default;
            for (int r = 0; r < rows; r++)
            {
                T g = dyb[r];
                if (g == T.Zero) continue;
                dbias[r] += g;
                Span<T> dwr = dw.Slice(r * cols, cols);
                TensorPrimitives.MultiplyAdd(xb, g, dwr, dwr);
                if (wantDx)
                    TensorPrimitives.MultiplyAdd(w.Slice(r * cols, cols), g, dxb, dxb);
            }
        }
    }
}
