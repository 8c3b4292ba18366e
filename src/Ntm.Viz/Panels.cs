using ScottPlot;
using SkiaSharp;

namespace Ntm.Viz;

/// <summary>How values map to colours: [0, 1] quantities or signed ones centred on zero.</summary>
internal enum ValueScale
{
    /// <summary>Probabilities, bits, weightings, erase gates: 0 to 1 on a sequential map.</summary>
    Unit,
    /// <summary>Add vectors, read vectors, memory: symmetric about zero on a diverging map.</summary>
    Signed,
}

/// <summary>
/// One heatmap picture: <see cref="Cells"/> is indexed [y, x]; row 0 of the cells is drawn at the top
/// and labelled <see cref="FirstRow"/>, x runs left to right from 0, like the paper's figures.
/// <see cref="GreyColumns"/>, when given, has one flag per column (time step): the cells of a flagged
/// column are drawn in <see cref="Panels.UnscoredColor"/> whatever their values (outputs and targets
/// of steps the loss does not score, so an output there does not read as a confident answer).
/// </summary>
internal sealed record HeatmapPanel(
    string Title, string XLabel, string YLabel, double[,] Cells, int FirstRow, ValueScale Scale, string ColorLabel,
    bool[]? GreyColumns = null);

/// <summary>Builds ScottPlot plots and PNG bytes with one consistent look.</summary>
internal static class Panels
{
    /// <summary>
    /// The neutral grey of cells that are not scored (<see cref="HeatmapPanel.GreyColumns"/>): no
    /// colour of the viridis map, which runs from purple through green to yellow.
    /// </summary>
    internal static readonly Color UnscoredColor = new(190, 190, 190);

    /// <summary>Smallest colour range for signed data that is all zero, so the map stays defined.</summary>
    private const double MinSignedRange = 1e-6;

    /// <summary>Font sizes chosen so a 900 x 350 panel reads at a glance.</summary>
    internal const float TitleSize = 16, LabelSize = 14, TickSize = 12;

    /// <summary>The smallest a long title is shrunk to; below this it is cut rather than unreadable.</summary>
    private const float MinTitleSize = 9;

    /// <summary>
    /// The font for every label: DejaVu Sans (Debian's fonts-dejavu-core) when installed, else the
    /// first of a few common sans-serif families, else ScottPlot's own choice.
    /// </summary>
    internal static string FontName => s_fontName.Value;

    private static readonly Lazy<string> s_fontName = new(() =>
    {
        string[] installed = SKFontManager.Default.GetFontFamilies();
        string[] preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];
        return preferred.FirstOrDefault(f => installed.Contains(f, StringComparer.OrdinalIgnoreCase)) ?? Fonts.Default;
    });

    /// <summary>Transposes a [step, column] array to [column, step] cells (time on x, column on y).</summary>
    public static double[,] TimeOnX(float[,] stepsByColumns) => TimeOnX(stepsByColumns, 0, stepsByColumns.GetLength(1));

    /// <summary>Transposes columns [first, first + count) of a [step, column] array to [column, step] cells.</summary>
    public static double[,] TimeOnX(float[,] stepsByColumns, int first, int count)
    {
        int steps = stepsByColumns.GetLength(0);
        var cells = new double[count, steps];
        for (int c = 0; c < count; c++)
            for (int t = 0; t < steps; t++)
                cells[c, t] = stepsByColumns[t, first + c];
        return cells;
    }

    /// <summary>Makes the plot for one heatmap panel: titled, labelled, with a colour bar.</summary>
    public static Plot Heatmap(HeatmapPanel panel)
    {
        var plot = new Plot();
        int rows = panel.Cells.GetLength(0), cols = panel.Cells.GetLength(1);

        var heatmap = plot.Add.Heatmap(AtLeastTwoByTwo(panel.Cells));
        (double low, double high) = ColorRange(panel.Cells, panel.Scale);
        heatmap.ManualRange = new ScottPlot.Range(low, high);
        heatmap.Colormap = panel.Scale == ValueScale.Unit ? new ScottPlot.Colormaps.Viridis() : new ScottPlot.Colormaps.Balance();
        heatmap.NaNCellColor = Colors.Magenta;

        // Cell (r, c) is centred on (c, FirstRow + r). The y axis runs downwards (top < bottom in
        // value) so row 0 sits at the top.
        double top = panel.FirstRow - 0.5, bottom = panel.FirstRow + rows - 0.5;
        heatmap.Extent = new CoordinateRect(-0.5, cols - 0.5, top, bottom);
        plot.Axes.SetLimits(-0.5, cols - 0.5, bottom, top);
        GreyOut(plot, panel, top, bottom);

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = panel.ColorLabel;
        colorBar.LabelStyle.FontSize = LabelSize;
        colorBar.LabelStyle.FontName = FontName;    // not covered by plot.Font.Set in every case
        colorBar.LabelStyle.Bold = false;

        Decorate(plot, panel.Title, panel.XLabel, panel.YLabel);
        plot.HideGrid();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    /// <summary>Covers each run of flagged columns with one grey rectangle over the heatmap.</summary>
    private static void GreyOut(Plot plot, HeatmapPanel panel, double top, double bottom)
    {
        if (panel.GreyColumns is not { } grey) return;
        int cols = panel.Cells.GetLength(1);
        if (grey.Length != cols)
            throw new ArgumentException($"{grey.Length} grey-column flags for {cols} columns.", nameof(panel));
        for (int start = 0; start < cols; start++)
        {
            if (!grey[start]) continue;
            int end = start;
            while (end + 1 < cols && grey[end + 1]) end++;
            var rectangle = plot.Add.Rectangle(start - 0.5, end + 0.5, bottom, top);
            rectangle.FillColor = UnscoredColor;
            rectangle.LineWidth = 0;
            start = end;
        }
    }

    /// <summary>
    /// The cells with a single row or column repeated once. ScottPlot draws nothing for a heatmap one
    /// cell high or wide (e.g. the one input channel of dynamic n-grams); two identical cells over the
    /// same extent look exactly like the one.
    /// </summary>
    internal static double[,] AtLeastTwoByTwo(double[,] cells)
    {
        int rows = cells.GetLength(0), cols = cells.GetLength(1);
        if (rows > 1 && cols > 1) return cells;
        int r2 = Math.Max(2, rows), c2 = Math.Max(2, cols);
        var copy = new double[r2, c2];
        for (int r = 0; r < r2; r++)
            for (int c = 0; c < c2; c++)
                copy[r, c] = cells[Math.Min(r, rows - 1), Math.Min(c, cols - 1)];
        return copy;
    }

    /// <summary>Sets the title, axis labels and font sizes shared by every picture.</summary>
    public static void Decorate(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Font.Set(FontName);
        plot.Title(title, TitleSize);
        plot.Axes.Title.Label.Bold = true;
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
    }

    /// <summary>Renders a plot to PNG bytes.</summary>
    public static byte[] Png(Plot plot, int width, int height)
    {
        FitTitle(plot, width);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// Shrinks the title's font until the title fits in about three quarters of the picture's width
    /// (it is centred over the data area, between the y axis and the colour bar or legend).
    /// </summary>
    internal static void FitTitle(Plot plot, int width)
    {
        LabelStyle label = plot.Axes.Title.Label;
        if (string.IsNullOrEmpty(label.Text)) return;
        float available = 0.75f * width;
        using SKTypeface typeface = SKTypeface.FromFamilyName(FontName, label.Bold ? SKFontStyle.Bold : SKFontStyle.Normal);
        using var font = new SKFont(typeface, label.FontSize);
        float measured = font.MeasureText(label.Text);
        if (measured > available) label.FontSize = Math.Max(MinTitleSize, label.FontSize * available / measured);
    }

    /// <summary>Renders a grid of plots, row by row, into one PNG; <c>null</c> leaves a cell blank.</summary>
    public static byte[] GridPng(IReadOnlyList<Plot?> plots, int columns, int cellWidth, int cellHeight)
    {
        int rows = (plots.Count + columns - 1) / columns;
        var info = new SKImageInfo(columns * cellWidth, rows * cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        using SKSurface surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"Could not create a {info.Width} x {info.Height} drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        var panelInfo = new SKImageInfo(cellWidth, cellHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int i = 0; i < plots.Count; i++)
        {
            if (plots[i] is not Plot plot) continue;
            // Each plot clears the canvas it renders to, so each gets its own surface first.
            using SKSurface panel = SKSurface.Create(panelInfo)
                ?? throw new InvalidOperationException($"Could not create a {cellWidth} x {cellHeight} drawing surface.");
            FitTitle(plot, cellWidth);
            plot.Render(panel);
            using SKImage snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, i % columns * cellWidth, i / columns * cellHeight);
        }
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The colour range: [0, 1] for unit data (wider if the data leave it), ±max|v| for signed data.</summary>
    internal static (double Low, double High) ColorRange(double[,] cells, ValueScale scale)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in cells)
        {
            if (!double.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (!double.IsFinite(min)) { min = 0; max = 0; }
        if (scale == ValueScale.Unit) return (Math.Min(0, min), Math.Max(1, max));
        double m = Math.Max(MinSignedRange, Math.Max(-min, max));
        return (-m, m);
    }
}
