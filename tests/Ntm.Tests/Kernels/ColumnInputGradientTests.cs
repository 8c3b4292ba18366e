using System.Numerics;
using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The kernels that threads share by output ranges give every entry bit for bit what one call over the
/// whole range gives: the column-range input gradient against <see cref="Linear.InputGradient"/> (and
/// across every split), and <see cref="Linear.Forward"/> and <see cref="Linear.WeightGradient"/> over
/// row ranges aligned to <see cref="WorkerTeam.RowAlignment"/> against one call over all rows. A change
/// of kernel that breaks this would make training depend on the thread count.
/// </summary>
public sealed class ColumnInputGradientTests
{
    public static TheoryData<int, int> Shapes() => new() { { 400, 129 }, { 92, 100 }, { 7, 13 }, { 64, 30 }, { 3, 5 } };

    private static T[] Random<T>(Rng rng, int n) where T : IFloatingPointIeee754<T>
    {
        var a = new T[n];
        for (int i = 0; i < n; i++) a[i] = T.CreateChecked(rng.NextDouble(-1, 1));
        return a;
    }

    private static void CheckColumns<T>(int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Rng(7);
        T[] w = Random<T>(rng, rows * cols), dy = Random<T>(rng, rows), start = Random<T>(rng, cols);
        var whole = (T[])start.Clone();
        Linear.InputGradient<T>(whole, cols, w, rows, cols, dy, rows, 1);
        int align = ColumnInputGradient.Alignment<T>();
        for (int parts = 1; parts <= 4; parts++)
        {
            var split = (T[])start.Clone();
            for (int p = parts - 1; p >= 0; p--)   // any order: the ranges are disjoint
            {
                (int c0, int c1) = WorkerTeam.Split(cols, parts, p, align);
                ColumnInputGradient.Accumulate<T>(split, w, rows, cols, dy, c0, c1);
            }
            Assert.Equal(whole, split);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Column_ranges_give_the_whole_input_gradient_bit_for_bit(int rows, int cols)
    {
        CheckColumns<float>(rows, cols);
        CheckColumns<double>(rows, cols);
    }

    [Fact]
    public void A_range_that_does_not_start_on_a_strip_is_refused()
        => Assert.Throws<ArgumentException>(() => ColumnInputGradient.Accumulate<float>(new float[20], new float[40], 2, 20, new float[2], 3, 20));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Row_ranges_of_the_forward_and_weight_gradient_give_the_whole_product_bit_for_bit(int rows, int cols)
    {
        var rng = new Rng(9);
        foreach (int batch in new[] { 1, 3 })
        {
            float[] w = Random<float>(rng, rows * cols), bias = Random<float>(rng, rows), x = Random<float>(rng, batch * cols);
            var whole = new float[batch * rows];
            Linear.Forward<float>(w, bias, rows, cols, x, cols, whole, rows, batch);
            const int count = 11;
            float[] xs = Random<float>(rng, count * cols), dys = Random<float>(rng, count * rows);
            float[] dwWhole = Random<float>(rng, rows * cols), dbWhole = Random<float>(rng, rows);
            float[] dwSplit = (float[])dwWhole.Clone(), dbSplit = (float[])dbWhole.Clone();
            Linear.WeightGradient<float>(dwWhole, dbWhole, rows, cols, xs, cols, dys, rows, count);
            for (int parts = 2; parts <= 3; parts++)
            {
                var split = new float[batch * rows];
                float[] dw = (float[])dwSplit.Clone(), db = (float[])dbSplit.Clone();
                for (int p = 0; p < parts; p++)
                {
                    (int r0, int r1) = WorkerTeam.Split(rows, parts, p, WorkerTeam.RowAlignment);
                    if (r1 == r0) continue;
                    Linear.Forward<float>(w.AsSpan(r0 * cols), bias.AsSpan(r0), r1 - r0, cols, x, cols, split.AsSpan(r0), rows, batch);
                    Linear.WeightGradient<float>(dw.AsSpan(r0 * cols, (r1 - r0) * cols), db.AsSpan(r0, r1 - r0), r1 - r0, cols,
                        xs, cols, dys.AsSpan(r0), rows, count);
                }
                Assert.Equal(whole, split);
                Assert.Equal(dwWhole, dw);
                Assert.Equal(dbWhole, db);
            }
        }
    }
}
