using Ntm.Io;
using Ntm.Model;
using ScottPlot;

namespace Ntm.Viz;

/// <summary>
/// Heatmaps of what the machine did on one sequence (<see cref="MachineTrace"/>), in the style of
/// the paper's figures: time runs left to right, channels and memory rows top to bottom.
/// </summary>
public static class TracePlots
{
    /// <summary>The name of the combined picture in the style of the paper's Figure 6.</summary>
    public const string OverviewFileName = "overview.png";

    /// <summary>
    /// Writes one PNG per view of <paramref name="trace"/> into <paramref name="folder"/> (created if
    /// missing, existing files of the same names replaced): <c>inputs.png</c>, <c>targets.png</c>,
    /// <c>outputs.png</c>; per write head h <c>write-weightings-h.png</c>, <c>erase-h.png</c>,
    /// <c>add-h.png</c>; per read head h <c>read-weightings-h.png</c>, <c>read-vectors-h.png</c>;
    /// <c>memory.png</c> (the memory after the last step) and <c>overview.png</c> (inputs, outputs,
    /// adds, write weightings, read vectors and read weightings of head 0, like the paper's Figure 6).
    /// Outputs and targets of steps that the loss does not score (mask 0, e.g. the copy task's input
    /// phase) are drawn in a neutral grey, and their titles say so.
    /// </summary>
    /// <param name="trace">The trace to draw.</param>
    /// <param name="folder">The folder to write into.</param>
    /// <param name="options">Zoom and size choices; <c>null</c> for the defaults.</param>
    /// <returns>The full paths of the files written, in the order listed above.</returns>
    /// <exception cref="MalformedDataException">The trace's arrays disagree in shape.</exception>
    /// <exception cref="InvalidConfigurationException">An option is out of range.</exception>
    public static IReadOnlyList<string> Write(MachineTrace trace, string folder, TracePlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new TracePlotOptions();
        options.Validate();
        TraceShape shape = TraceShape.Of(trace);
        (int firstRow, int rowCount) = RowsToShow(trace, shape, options);
        // Tick labels give the true row numbers; the title says when only some rows are shown.
        string rowsNote = rowCount == shape.MemoryRows
            ? ""
            : $" (rows {firstRow}-{firstRow + rowCount - 1} of {shape.MemoryRows})";

        var pictures = new List<(string Name, HeatmapPanel Panel)>
        {
            ("inputs.png", Inputs(trace)),
            ("targets.png", Targets(trace)),
            ("outputs.png", Outputs(trace)),
        };
        for (int h = 0; h < shape.WriteHeads; h++)
        {
            pictures.Add(($"write-weightings-{h}.png", WriteWeightings(trace, h, shape, firstRow, rowCount, rowsNote)));
            pictures.Add(($"erase-{h}.png", new HeatmapPanel(HeadTitle("Erase vectors", "write", h, shape.WriteHeads),
                "time step", "memory column", Panels.TimeOnX(trace.EraseVectors[h]), 0, ValueScale.Unit, "erase")));
            pictures.Add(($"add-{h}.png", Adds(trace, h, shape)));
        }
        for (int h = 0; h < shape.ReadHeads; h++)
        {
            pictures.Add(($"read-weightings-{h}.png", ReadWeightings(trace, h, shape, firstRow, rowCount, rowsNote)));
            pictures.Add(($"read-vectors-{h}.png", ReadVectors(trace, h, shape)));
        }
        pictures.Add(("memory.png", new HeatmapPanel("Memory after the last step" + rowsNote, "memory column", "memory row",
            RowSlice(trace.FinalMemory, firstRow, rowCount), firstRow, ValueScale.Signed, "value")));

        Directory.CreateDirectory(folder);
        var written = new List<string>(pictures.Count + 1);
        foreach ((string name, HeatmapPanel panel) in pictures)
        {
            string path = Path.GetFullPath(Path.Combine(folder, name));
            using Plot plot = Panels.Heatmap(panel);
            AtomicFile.WriteAllBytes(path, Panels.Png(plot, options.PanelWidth, options.PanelHeight));
            written.Add(path);
        }

        string overviewPath = Path.GetFullPath(Path.Combine(folder, OverviewFileName));
        AtomicFile.WriteAllBytes(overviewPath, Overview(trace, shape, firstRow, rowCount, rowsNote, options));
        written.Add(overviewPath);
        return written;
    }

    /// <summary>The paper's Figure 6 layout: inputs | outputs, adds | read vectors, write | read weightings.</summary>
    private static byte[] Overview(MachineTrace trace, TraceShape shape, int firstRow, int rowCount, string rowsNote,
        TracePlotOptions options)
    {
        bool writes = shape.WriteHeads > 0, reads = shape.ReadHeads > 0;
        HeatmapPanel?[] panels =
        [
            Inputs(trace), Outputs(trace),
            writes ? Adds(trace, 0, shape) : null, reads ? ReadVectors(trace, 0, shape) : null,
            writes ? WriteWeightings(trace, 0, shape, firstRow, rowCount, rowsNote) : null,
            reads ? ReadWeightings(trace, 0, shape, firstRow, rowCount, rowsNote) : null,
        ];
        var plots = panels.Select(p => p is null ? null : Panels.Heatmap(p)).ToArray();
        try
        {
            return Panels.GridPng(plots, columns: 2, options.PanelWidth, options.PanelHeight);
        }
        finally
        {
            foreach (Plot? plot in plots) plot?.Dispose();
        }
    }

    private static HeatmapPanel Inputs(MachineTrace trace) =>
        new("Inputs", "time step", "input channel", Panels.TimeOnX(trace.Inputs), 0, ValueScale.Unit, "input");

    /// <summary>The targets; steps the loss does not score are grey (<see cref="Unscored"/>).</summary>
    internal static HeatmapPanel Targets(MachineTrace trace) => Scored(trace,
        new("Targets", "time step", "output channel", Panels.TimeOnX(trace.Targets), 0, ValueScale.Unit, "target"));

    /// <summary>The outputs; steps the loss does not score are grey (<see cref="Unscored"/>).</summary>
    internal static HeatmapPanel Outputs(MachineTrace trace) => Scored(trace,
        new("Outputs", "time step", "output channel", Panels.TimeOnX(trace.Outputs), 0, ValueScale.Unit, "output"));

    /// <summary>The title's note on the grey cells of outputs and targets.</summary>
    internal const string UnscoredNote = " (grey: steps not scored)";

    /// <summary>
    /// Greys out the steps whose mask is 0 (copy: the input phase, where the output is ignored) and
    /// says so in the title; a trace that scores every step is drawn as it is.
    /// </summary>
    private static HeatmapPanel Scored(MachineTrace trace, HeatmapPanel panel)
    {
        bool[] unscored = Unscored(trace);
        return unscored.Any(u => u) ? panel with { Title = panel.Title + UnscoredNote, GreyColumns = unscored } : panel;
    }

    /// <summary>One flag per step: true where the mask is 0, so the loss ignores the output.</summary>
    internal static bool[] Unscored(MachineTrace trace) => trace.Mask.Select(m => m == 0).ToArray();

    private static HeatmapPanel Adds(MachineTrace trace, int head, TraceShape shape) =>
        new(HeadTitle("Adds", "write", head, shape.WriteHeads), "time step", "memory column",
            Panels.TimeOnX(trace.AddVectors[head]), 0, ValueScale.Signed, "add");

    private static HeatmapPanel ReadVectors(MachineTrace trace, int head, TraceShape shape) =>
        new(HeadTitle("Read vectors", "read", head, shape.ReadHeads), "time step", "memory column",
            Panels.TimeOnX(trace.ReadVectors[head]), 0, ValueScale.Signed, "read value");

    private static HeatmapPanel WriteWeightings(MachineTrace trace, int head, TraceShape shape, int firstRow, int rowCount,
        string rowsNote) =>
        new(HeadTitle("Write weightings", "write", head, shape.WriteHeads) + rowsNote, "time step", "memory row",
            Panels.TimeOnX(trace.WriteWeightings[head], firstRow, rowCount), firstRow, ValueScale.Unit, "weighting");

    private static HeatmapPanel ReadWeightings(MachineTrace trace, int head, TraceShape shape, int firstRow, int rowCount,
        string rowsNote) =>
        new(HeadTitle("Read weightings", "read", head, shape.ReadHeads) + rowsNote, "time step", "memory row",
            Panels.TimeOnX(trace.ReadWeightings[head], firstRow, rowCount), firstRow, ValueScale.Unit, "weighting");

    private static string HeadTitle(string what, string kind, int head, int heads) =>
        heads == 1 ? what : $"{what}, {kind} head {head}";

    /// <summary>Rows [first, first + count) of a [row, column] array as cells.</summary>
    private static double[,] RowSlice(float[,] rowsByColumns, int first, int count)
    {
        int cols = rowsByColumns.GetLength(1);
        var cells = new double[count, cols];
        for (int r = 0; r < count; r++)
            for (int c = 0; c < cols; c++)
                cells[r, c] = rowsByColumns[first + r, c];
        return cells;
    }

    /// <summary>
    /// The memory rows to draw: all of them, or (when zooming) the smallest contiguous range holding
    /// every row that any head weighted above the threshold at any step, widened by the margin.
    /// </summary>
    internal static (int First, int Count) RowsToShow(MachineTrace trace, TraceShape shape, TracePlotOptions options)
    {
        int rows = shape.MemoryRows;
        if (!options.ZoomToUsedRows) return (0, rows);
        int lo = int.MaxValue, hi = int.MinValue;
        foreach (float[,] w in trace.WriteWeightings.Concat(trace.ReadWeightings))
            for (int t = 0; t < shape.Steps; t++)
                for (int r = 0; r < rows; r++)
                    if (w[t, r] > options.UsedRowThreshold)
                    {
                        lo = Math.Min(lo, r);
                        hi = Math.Max(hi, r);
                    }
        if (lo > hi) return (0, rows);
        lo = Math.Max(0, lo - options.ZoomMargin);
        hi = Math.Min(rows - 1, hi + options.ZoomMargin);
        return (lo, hi - lo + 1);
    }
}

/// <summary>The sizes of a trace, checked to agree with each other.</summary>
internal readonly record struct TraceShape(int Steps, int MemoryRows, int MemoryWidth, int ReadHeads, int WriteHeads)
{
    /// <summary>Reads the sizes off <paramref name="trace"/> and checks every array against them.</summary>
    /// <exception cref="MalformedDataException">Two arrays disagree.</exception>
    public static TraceShape Of(MachineTrace trace)
    {
        int steps = trace.Inputs.GetLength(0);
        int rows = trace.FinalMemory.GetLength(0), width = trace.FinalMemory.GetLength(1);
        if (steps == 0) throw new MalformedDataException("The trace has no steps.");
        if (rows == 0 || width == 0) throw new MalformedDataException($"The trace's memory is empty ({rows} x {width}).");
        if (trace.Inputs.GetLength(1) == 0) throw new MalformedDataException("The trace's inputs have no channels.");
        if (trace.Outputs.GetLength(1) == 0) throw new MalformedDataException("The trace's outputs have no channels.");
        Expect("Targets", trace.Targets, steps, trace.Outputs.GetLength(1));
        Expect("Outputs", trace.Outputs, steps, trace.Targets.GetLength(1));
        if (trace.Mask.Length != steps)
            throw new MalformedDataException($"Mask has {trace.Mask.Length} steps but Inputs has {steps}.");
        int reads = trace.ReadWeightings.Length, writes = trace.WriteWeightings.Length;
        ExpectHeads("ReadVectors", trace.ReadVectors.Length, "ReadWeightings", reads);
        ExpectHeads("EraseVectors", trace.EraseVectors.Length, "WriteWeightings", writes);
        ExpectHeads("AddVectors", trace.AddVectors.Length, "WriteWeightings", writes);
        for (int h = 0; h < reads; h++)
        {
            Expect($"ReadWeightings[{h}]", trace.ReadWeightings[h], steps, rows);
            Expect($"ReadVectors[{h}]", trace.ReadVectors[h], steps, width);
        }
        for (int h = 0; h < writes; h++)
        {
            Expect($"WriteWeightings[{h}]", trace.WriteWeightings[h], steps, rows);
            Expect($"EraseVectors[{h}]", trace.EraseVectors[h], steps, width);
            Expect($"AddVectors[{h}]", trace.AddVectors[h], steps, width);
        }
        return new TraceShape(steps, rows, width, reads, writes);
    }

    private static void Expect(string name, float[,]? array, int steps, int columns)
    {
        if (array is null) throw new MalformedDataException($"{name} is missing.");
        if (array.GetLength(0) != steps || array.GetLength(1) != columns)
            throw new MalformedDataException(
                $"{name} is {array.GetLength(0)} x {array.GetLength(1)} but should be {steps} x {columns} (steps x columns).");
    }

    private static void ExpectHeads(string name, int count, string other, int expected)
    {
        if (count != expected)
            throw new MalformedDataException($"{name} has {count} heads but {other} has {expected}.");
    }
}
