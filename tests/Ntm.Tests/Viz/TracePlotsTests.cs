using Ntm.Model;
using Ntm.Viz;
using SkiaSharp;
using Xunit;

namespace Ntm.Tests.Viz;

public sealed class TracePlotsTests
{
    [Fact]
    public void Write_draws_every_view_as_a_readable_png()
    {
        using var folder = new TempFolder();
        IReadOnlyList<string> files = TracePlots.Write(SyntheticTrace.Copy(), folder.Path);

        string[] expected =
        [
            "inputs.png", "targets.png", "outputs.png", "write-weightings-0.png", "erase-0.png", "add-0.png",
            "read-weightings-0.png", "read-vectors-0.png", "memory.png", "overview.png",
        ];
        Assert.Equal(expected.Select(folder.File), files);
        foreach (string file in files.Where(f => !f.EndsWith(TracePlots.OverviewFileName, StringComparison.Ordinal)))
            PngAssert.IsPicture(file, 900, 350);
        PngAssert.IsPicture(folder.File("overview.png"), 2 * 900, 3 * 350);
        Assert.Equal(files.Count, Directory.GetFiles(folder.Path).Length);   // no temporary files left behind
    }

    [Fact]
    public void Write_names_files_per_head_and_honours_the_panel_size()
    {
        using var folder = new TempFolder();
        var options = new TracePlotOptions { PanelWidth = 400, PanelHeight = 200, ZoomToUsedRows = false };
        IReadOnlyList<string> files = TracePlots.Write(SyntheticTrace.Copy(length: 4, rows: 32, readHeads: 2, writeHeads: 2),
            folder.Path, options);

        string[] names = files.Select(Path.GetFileName).ToArray()!;
        foreach (string name in new[] { "write-weightings-1.png", "read-weightings-1.png", "erase-1.png", "add-1.png", "read-vectors-1.png" })
            Assert.Contains(name, names);
        Assert.Equal(3 + 3 * 2 + 2 * 2 + 2, files.Count);
        PngAssert.IsPicture(folder.File("memory.png"), 400, 200);
        PngAssert.IsPicture(folder.File("overview.png"), 800, 600);
    }

    [Fact]
    public void Zoom_keeps_the_used_rows_and_a_margin()
    {
        MachineTrace trace = SyntheticTrace.Copy(length: 10, rows: 128);
        TraceShape shape = TraceShape.Of(trace);

        // The heads touch rows 39..50 (band, neighbours, and the parking row) above 0.01.
        Assert.Equal((37, 16), TracePlots.RowsToShow(trace, shape, new TracePlotOptions()));
        Assert.Equal((39, 12), TracePlots.RowsToShow(trace, shape, new TracePlotOptions { ZoomMargin = 0 }));
        Assert.Equal((0, 128), TracePlots.RowsToShow(trace, shape, new TracePlotOptions { ZoomToUsedRows = false }));

        // Weightings spread evenly over 128 rows (1/128 < 0.01 each) use no row: show them all.
        var flat = new float[shape.Steps, 128];
        for (int t = 0; t < shape.Steps; t++)
            for (int r = 0; r < 128; r++)
                flat[t, r] = 1f / 128;
        MachineTrace unfocused = With(trace, writeWeightings: [flat], readWeightings: [flat]);
        Assert.Equal((0, 128), TracePlots.RowsToShow(unfocused, shape, new TracePlotOptions()));
    }

    [Fact]
    public void Row_zero_is_at_the_top_and_time_runs_left_to_right()
    {
        // Only row 0 at step 0 is weighted: it must be drawn in the top-left corner of the data area.
        MachineTrace copy = SyntheticTrace.Copy(length: 10, rows: 16, width: 4);
        var weights = new float[copy.Inputs.GetLength(0), 16];
        weights[0, 0] = 1;
        MachineTrace trace = With(copy, writeWeightings: [weights]);
        using var folder = new TempFolder();
        TracePlots.Write(trace, folder.Path, new TracePlotOptions { ZoomToUsedRows = false });

        using SKBitmap bitmap = SKBitmap.Decode(folder.File("write-weightings-0.png"));
        // Viridis at 1 is yellow (253, 231, 37); the colour bar's top is yellow too, so look left of it.
        var yellow = new List<(int X, int Y)>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width * 3 / 4; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                if (c.Red > 230 && c.Green > 210 && c.Blue < 80) yellow.Add((x, y));
            }
        Assert.NotEmpty(yellow);
        Assert.All(yellow, p => Assert.True(p.Y < bitmap.Height / 3 && p.X < bitmap.Width / 4, $"yellow at {p}"));
    }

    [Fact]
    public void Write_rejects_a_trace_whose_arrays_disagree()
    {
        MachineTrace copy = SyntheticTrace.Copy(length: 4, rows: 32);
        MachineTrace bad = With(copy, writeWeightings: [new float[copy.Inputs.GetLength(0), 31]]);
        using var folder = new TempFolder();

        var error = Assert.Throws<MalformedDataException>(() => TracePlots.Write(bad, folder.Path));
        Assert.Contains("WriteWeightings[0]", error.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Write_rejects_options_out_of_range()
    {
        using var folder = new TempFolder();
        Assert.Throws<InvalidConfigurationException>(() =>
            TracePlots.Write(SyntheticTrace.Copy(length: 2), folder.Path, new TracePlotOptions { ZoomMargin = -1 }));
        Assert.Throws<InvalidConfigurationException>(() =>
            TracePlots.Write(SyntheticTrace.Copy(length: 2), folder.Path, new TracePlotOptions { PanelWidth = 10 }));
    }

    private static MachineTrace With(MachineTrace t, float[][,] writeWeightings, float[][,]? readWeightings = null) => new()
    {
        Inputs = t.Inputs,
        Targets = t.Targets,
        Outputs = t.Outputs,
        Mask = t.Mask,
        ReadWeightings = readWeightings ?? t.ReadWeightings,
        WriteWeightings = writeWeightings,
        ReadVectors = t.ReadVectors,
        EraseVectors = t.EraseVectors,
        AddVectors = t.AddVectors,
        FinalMemory = t.FinalMemory,
    };
}
