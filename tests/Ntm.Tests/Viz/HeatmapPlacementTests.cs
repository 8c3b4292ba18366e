using Ntm.Model;
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

    [Theory]
    [InlineData(false)]   // outputs
    [InlineData(true)]    // targets
    public void Cells_of_unscored_steps_are_grey_and_cells_of_scored_steps_are_their_values(bool targets)
    {
        // The synthetic copy trace of length 5 has 12 steps: the 7 before the answer (inputs, delimiter
        // and one blank) are not scored, and confident 1s and 0s there would read as answers; the 5
        // answer steps are scored.
        MachineTrace trace = SyntheticTrace.Copy(length: 5, bits: 4, rows: 16, width: 6);
        for (int t = 0; t < trace.Mask.Length; t++)
            if (trace.Mask[t] == 0)
                for (int b = 0; b < 4; b++) trace.Outputs[t, b] = (t + b) % 2;
        HeatmapPanel panel = targets ? TracePlots.Targets(trace) : TracePlots.Outputs(trace);
        Assert.EndsWith(TracePlots.UnscoredNote, panel.Title);

        using Plot plot = Panels.Heatmap(panel);
        using SKBitmap bitmap = SKBitmap.Decode(Panels.Png(plot, 600, 300));
        float[,] values = targets ? trace.Targets : trace.Outputs;
        var map = new ScottPlot.Colormaps.Viridis();
        int grey = 0, coloured = 0;
        for (int t = 0; t < trace.Mask.Length; t++)
            for (int b = 0; b < 4; b++)
            {
                Pixel p = plot.GetPixel(new Coordinates(t, b));
                SKColor got = bitmap.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y));
                if (trace.Mask[t] == 0)
                {
                    Assert.True(Distance(got, Panels.UnscoredColor) < 10, $"unscored step {t}, channel {b} is {got}, not grey");
                    grey++;
                }
                else
                {
                    Assert.True(Distance(got, Panels.UnscoredColor) > 60, $"scored step {t}, channel {b} is grey");
                    Color want = map.GetColor(values[t, b], new ScottPlot.Range(0, 1));
                    Assert.True(Distance(got, want) < 30, $"scored step {t}, channel {b} is {got}, expected {want.ToHex()}");
                    coloured++;
                }
            }
        Assert.Equal(7 * 4, grey);
        Assert.Equal(5 * 4, coloured);
    }

    [Fact]
    public void A_trace_that_scores_every_step_has_no_grey()
    {
        MachineTrace trace = SyntheticTrace.Copy(length: 3, bits: 4, rows: 16, width: 6);
        Array.Fill(trace.Mask, 1f);
        HeatmapPanel panel = TracePlots.Outputs(trace);
        Assert.Null(panel.GreyColumns);
        Assert.Equal("Outputs", panel.Title);
    }

    private static int Distance(SKColor a, Color b) => Math.Abs(a.Red - b.R) + Math.Abs(a.Green - b.G) + Math.Abs(a.Blue - b.B);
}
