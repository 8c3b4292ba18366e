using Ntm.Viz;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace Ntm.Tests.Viz;

/// <summary>Every cell of a heatmap panel is drawn where its axis coordinates say, in its own colour.</summary>
public sealed class HeatmapPlacementTests
{
    [Theory]
    [InlineData(1, 5, 0)]    // one channel (dynamic n-grams' input and output)
    [InlineData(4, 1, 0)]    // one time step
    [InlineData(1, 1, 7)]
    [InlineData(2, 3, 0)]
    [InlineData(3, 4, 40)]   // a zoomed band of memory rows
    [InlineData(9, 21, 0)]
    public void Each_cell_is_drawn_at_its_coordinates(int rows, int cols, int firstRow)
    {
        // Alternate 0 and 1 so that a cell shifted by one position shows its neighbour's colour.
        var cells = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                cells[r, c] = (r + c) % 2;
        var panel = new HeatmapPanel("t", "x", "y", cells, firstRow, ValueScale.Unit, "v");

        using Plot plot = Panels.Heatmap(panel);
        byte[] png = Panels.Png(plot, 600, 300);
        using SKBitmap bitmap = SKBitmap.Decode(png);

        var map = new ScottPlot.Colormaps.Viridis();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                Pixel p = plot.GetPixel(new Coordinates(c, firstRow + r));
                SKColor got = bitmap.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y));
                Color want = map.GetColor(cells[r, c], new ScottPlot.Range(0, 1));
                Assert.True(Math.Abs(got.Red - want.R) + Math.Abs(got.Green - want.G) + Math.Abs(got.Blue - want.B) < 30,
                    $"cell ({r}, {c}) at pixel ({p.X:F0}, {p.Y:F0}) is {got}, expected {want.ToHex()}");
            }
    }
}
