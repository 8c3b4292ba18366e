using System.Text.RegularExpressions;
using Ntm.Limits;
using Ntm.Tests.Cli;
using Ntm.Tests.Limits;
using Ntm.Viz;
using ScottPlot;
using SkiaSharp;
using Xunit;

namespace Ntm.Tests.Viz;

public sealed class LimitsPlotsTests
{
    private static readonly int CurvesHeight = LimitsPlots.ErrorCurvesHeaderHeight + 2 * LimitsPlots.PanelHeight;
    private static readonly int SharpnessHeight = LimitsPlots.SharpnessHeaderHeight + 2 * LimitsPlots.PanelHeight;

    /// <summary>
    /// A copy-like result: scored at 1, 2, 4, ... 64 and at the limit and one past it; every sequence right
    /// up to <paramref name="limit"/>, none after, the bit error rate rising past it.
    /// </summary>
    private static LimitsResult Result(int rows, int limit, bool censored = false, bool diagnosis = true, int writeHeads = 1, int readHeads = 1)
    {
        var values = new SortedSet<int> { limit };
        for (int v = 1; v <= 64; v *= 2) values.Add(v);
        if (!censored) values.Add(limit + 1);
        var points = values.Where(v => censored ? v <= limit : true).Select(v => v <= limit
            ? new LimitPoint(v, 50, 1, 0.93, 1, 0, 0, 0)
            : new LimitPoint(v, 50, 0, 0, 0.07, Math.Min(0.5, 0.02 * (v - limit)), 0.01, 0.5)).ToList();
        var exact = new BreakdownLimit(limit, limit, limit, censored);
        FailureReport? report = null;
        if (diagnosis && !censored)
        {
            int steps = 2 * (limit + 1) + 1, answer = limit + 2;
            var heads = Enumerable.Range(0, writeHeads + readHeads).Select(h => new HeadSharpness(h, h < writeHeads,
                Enumerable.Range(0, steps).Select(t => h < writeHeads && t >= answer ? 0.4 : 1.0 - 0.1 * h).ToList(),
                Enumerable.Range(0, steps).Select(t => h < writeHeads && t >= answer ? 1.5 : 0.2 * h).ToList())).ToList();
            report = new FailureReport(limit + 1, $"memory wrap at {rows}: the write head returns to a written row after all {rows} rows at step {rows}; first wrong bit at output 0 (10 of 10 failing sequences, 10 of 10 traced)",
                FailureKind.MemoryWrap, [], heads, answer);
        }
        return new LimitsResult("copy", rows, 128, "length", 20, 2 * rows, exact, exact, points, report);
    }

    /// <summary>How many pixels are within <paramref name="tolerance"/> of <paramref name="color"/> in each column.</summary>
    private static int[] ColumnCounts(string png, SKColor color, int tolerance = 6)
    {
        using SKBitmap bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException($"{png} does not decode");
        var counts = new int[bitmap.Width];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                if (Math.Abs(c.Red - color.Red) <= tolerance && Math.Abs(c.Green - color.Green) <= tolerance && Math.Abs(c.Blue - color.Blue) <= tolerance)
                    counts[x]++;
            }
        return counts;
    }

    /// <summary>The colour of the bold median marker of the i-th memory size, drawn half transparent over white.</summary>
    private static SKColor MedianMarkerColor(int i)
    {
        Color c = LimitsPlots.MemoryColor(i).WithOpacity(0.55);
        byte Over(byte v) => (byte)Math.Round(v * c.Alpha / 255.0 + 255 * (1 - c.Alpha / 255.0));
        return new SKColor(Over(c.Red), Over(c.Green), Over(c.Blue));
    }

    [Fact]
    public void ErrorCurves_draws_one_picture_with_a_bold_median_marker_per_memory_size_at_the_median_limit()
    {
        using var folder = new TempFolder();
        string three = folder.File("three.png");
        LimitsPlots.ErrorCurves([("a", Result(16, 8)), ("b", Result(16, 16)), ("c", Result(16, 32)), ("a", Result(64, 40, censored: true))], three);
        PngAssert.IsPicture(three, LimitsPlots.Width, CurvesHeight);

        string one = folder.File("one.png");
        LimitsPlots.ErrorCurves([("b", Result(16, 16)), ("a", Result(64, 40, censored: true))], one);
        PngAssert.IsPicture(one, LimitsPlots.Width, CurvesHeight);

        // The bold marker of the 16-row runs (limits 8, 16, 32) stands where the single run's limit of 16
        // does: a tall column of the marker colour at the same place in both pictures.
        static int[] MarkerColumns(string png) => ColumnCounts(png, MedianMarkerColor(0)).Select((n, x) => (n, x)).Where(c => c.n > 300).Select(c => c.x).ToArray();
        int[] inThree = MarkerColumns(three), inOne = MarkerColumns(one);
        Assert.NotEmpty(inThree);
        Assert.Equal(inOne, inThree);
        Assert.InRange(inThree.Max() - inThree.Min(), 1, 10);        // one bold line, a few pixels wide
        Assert.Contains(ColumnCounts(three, MedianMarkerColor(1)), n => n > 300);   // and one for 64 rows

        string other = folder.File("other.png");
        LimitsPlots.ErrorCurves([("b", Result(16, 12)), ("a", Result(64, 40, censored: true))], other);
        Assert.NotEqual(MarkerColumns(one), MarkerColumns(other));
    }

    [Fact]
    public void ErrorCurves_rejects_no_results_and_mixed_tasks()
    {
        using var folder = new TempFolder();
        string png = folder.File("x.png");
        Assert.Throws<MalformedDataException>(() => LimitsPlots.ErrorCurves([], png));
        Assert.Throws<MalformedDataException>(() => LimitsPlots.ErrorCurves([("a", Result(16, 8)), ("b", Result(16, 8) with { Task = "repeat-copy" })], png));
        Assert.Throws<MalformedDataException>(() => LimitsPlots.ErrorCurves([("a", Result(16, 8) with { Points = [] })], png));
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Sharpness_draws_write_and_read_heads_in_their_colours()
    {
        using var folder = new TempFolder();
        string png = folder.File("sharpness.png");
        LimitsPlots.Sharpness("run", Result(16, 14, writeHeads: 1, readHeads: 2), png);
        PngAssert.IsPicture(png, LimitsPlots.Width, SharpnessHeight);
        foreach (Color c in new[] { LimitsPlots.WriteColors[0], LimitsPlots.ReadColors[0], LimitsPlots.ReadColors[1] })
            Assert.True(ColumnCounts(png, new SKColor(c.Red, c.Green, c.Blue), 2).Sum() > 200, $"colour {c} is not drawn");
        Assert.True(ColumnCounts(png, new SKColor(LimitsPlots.WriteColors[1].Red, LimitsPlots.WriteColors[1].Green, LimitsPlots.WriteColors[1].Blue), 2).Sum() < 50,
            "a second write head is drawn");
    }

    [Fact]
    public void Sharpness_of_a_result_without_diagnosis_throws_a_clear_error()
    {
        using var folder = new TempFolder();
        string png = folder.File("s.png");
        var e = Assert.Throws<InvalidConfigurationException>(() => LimitsPlots.Sharpness("run", Result(16, 40, censored: true), png));
        Assert.Contains("no diagnosis", e.Message);
        Assert.Contains("nothing failed up to length 32", e.Message);
        Assert.Throws<InvalidConfigurationException>(() => LimitsPlots.Sharpness("run", Result(16, 8, diagnosis: false), png));
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Write_writes_the_curves_and_one_sharpness_picture_per_diagnosed_result()
    {
        using var folder = new TempFolder();
        string dir = folder.File("pictures");
        IReadOnlyList<string> written = LimitsPlots.Write([("a", Result(16, 14)), ("a", Result(64, 200, censored: true)), ("b", Result(16, 13))], dir);
        Assert.Equal(
            [LimitsPlots.ErrorCurvesFileName, LimitsPlots.SharpnessFileName(0), LimitsPlots.SharpnessFileName(2)],
            written.Select(Path.GetFileName));
        Assert.All(written, f => Assert.True(Path.IsPathRooted(f)));
        Assert.Equal(written.Order(), Directory.GetFiles(dir).Order());
        PngAssert.IsPicture(written[0], LimitsPlots.Width, CurvesHeight);
        PngAssert.IsPicture(written[1], LimitsPlots.Width, SharpnessHeight);
        PngAssert.IsPicture(written[2], LimitsPlots.Width, SharpnessHeight);
    }

    [Fact]
    public void Limits_with_out_writes_the_pictures_beside_the_json()
    {
        using var folder = new TempFolder();
        string dir = folder.File("limits");
        var (exit, _, stderr) = CliProcess.Run("limits", Fixture.CopyRun, "--memory-rows", "16", "24", "--count", "20", "--out", dir, "--json");
        Assert.True(exit == 0, stderr);
        string[] pictures = ["limits.png", "sharpness-0.png", "sharpness-1.png"];
        Assert.Equal(pictures.Append("limits.json").Order(), Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        foreach (string p in pictures) Assert.Contains(Path.Combine(Path.GetFullPath(dir), p), stderr);
        PngAssert.IsPicture(Path.Combine(dir, "limits.png"), LimitsPlots.Width, CurvesHeight);
        PngAssert.IsPicture(Path.Combine(dir, "sharpness-1.png"), LimitsPlots.Width, SharpnessHeight);
    }

    [Fact]
    public void Report_of_the_trained_copy_model_has_a_limits_section()
    {
        using var folder = new TempFolder();
        string run = folder.File("copy");
        Directory.CreateDirectory(run);
        foreach (string f in Directory.GetFiles(Fixture.CopyRun)) File.Copy(f, Path.Combine(run, Path.GetFileName(f)));

        var (exit, _, stderr) = CliProcess.Run("report", run, "--count", "10");
        Assert.True(exit == 0, stderr);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("Limits: where it stops working along length (trained up to 20; 10 sequences per value)", html);
        // One row at the trained 128 rows and one at 4 x 128, each with a verdict.
        Assert.Matches(new Regex("<tr><td>128</td><td>\\d+[^<]*</td><td>\\d+[^<]*</td><td>memory wrap at 128"), html);
        Assert.Matches(new Regex("<tr><td>512</td><td>\\d+[^<]*</td><td>\\d+[^<]*</td><td>memory wrap at 512"), html);
        Assert.Contains("Limits: the fraction of sequences exactly right and the bit error rate against length", html);
        Assert.Contains("Why it breaks with 128 rows", html);
        string pictures = Path.Combine(run, "report-images", "limits");
        PngAssert.IsPicture(Path.Combine(pictures, "limits.png"), LimitsPlots.Width, CurvesHeight);
        PngAssert.IsPicture(Path.Combine(pictures, "sharpness-0.png"), LimitsPlots.Width, SharpnessHeight);
    }

    [Fact]
    public void Report_of_a_tiny_trained_run_still_works_with_its_limits_section()
    {
        using var folder = new TempFolder();
        string run = folder.File("run");
        var (exit, _, stderr) = CliProcess.Run(["train", "copy", "--sequences", "200", "--out", run, "--seed", "4", .. CliProcess.Tiny]);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliProcess.Run("report", run, "--count", "2");
        Assert.True(exit == 0, stderr);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("Learning curve", html);
        Assert.Contains("Limits: where it stops working along length (trained up to 4; 2 sequences per value)", html);
        Assert.Contains("<tr><td>10</td>", html);
        Assert.Contains("<tr><td>40</td>", html);
    }
}
