using Ntm.Training;
using Ntm.Viz;
using Xunit;

namespace Ntm.Tests.Viz;

public sealed class CurvePlotsTests
{
    internal const string Line1 = """{"sequences": 1000, "seconds": 2.5, "train_cost_bits": 60.1, "eval_cost_bits": 58.0, "eval_bit_errors": 20.5}""";
    internal const string Line2 = """{"sequences": 2000, "seconds": 5.0, "train_cost_bits": 12.0, "eval_cost_bits": null, "eval_bit_errors": null, "lr": 1e-4}""";
    internal const string Line3 = """{"sequences": 3000, "seconds": 7.5, "train_cost_bits": 0.3, "eval_cost_bits": 0.2, "eval_bit_errors": 0, "note": "later field"}""";

    [Fact]
    public void LearningCurve_draws_cost_and_bit_errors()
    {
        using var folder = new TempFolder();
        string metrics = folder.File("metrics.jsonl");
        File.WriteAllLines(metrics, [Line1, Line2, Line3]);

        string png = folder.File("curves/learning.png");
        CurvePlots.LearningCurve(metrics, png);

        PngAssert.IsPicture(png, CurvePlots.Width, 2 * CurvePlots.PanelHeight);
    }

    [Fact]
    public void The_optional_optimal_cost_is_read_and_drawn()
    {
        using var folder = new TempFolder();
        string metrics = folder.File("metrics.jsonl");
        const string floor = """{"sequences": 4000, "seconds": 9, "train_cost_bits": 140, "eval_cost_bits": 137.5, "eval_bit_errors": 48, "eval_optimal_cost_bits": 134.25}""";
        File.WriteAllLines(metrics, [Line1, floor]);

        var records = RunFolder.ReadMetricsFile(metrics);
        Assert.Null(records[0].EvalOptimalCostBits);
        Assert.Equal(134.25, records[1].EvalOptimalCostBits);
        string png = folder.File("learning.png");
        CurvePlots.LearningCurve(metrics, png);
        PngAssert.IsPicture(png, CurvePlots.Width, 2 * CurvePlots.PanelHeight);

        File.WriteAllLines(metrics, [Line1, floor.Replace("134.25", "-1")]);
        var error = Assert.Throws<InvalidFileException>(() => RunFolder.ReadMetricsFile(metrics));
        Assert.Contains("line 2: field \"eval_optimal_cost_bits\" must not be negative", error.Message);
    }

    [Theory]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5", "line 3: not valid JSON")]
    [InlineData("[1, 2]", "line 3: expected a JSON object")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: missing field \"train_cost_bits\"")]
    [InlineData("{\"sequences\": \"3000\", \"seconds\": 7.5, \"train_cost_bits\": 1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"sequences\" must be a number")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": null, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"train_cost_bits\" must be a number")]
    [InlineData("{\"sequences\": 3000, \"seconds\": 7.5, \"train_cost_bits\": -1, \"eval_cost_bits\": 1, \"eval_bit_errors\": 0}", "line 3: field \"train_cost_bits\" must not be negative")]
    [InlineData("   ", "line 3: empty line")]
    public void LearningCurve_names_the_malformed_line(string badLine, string expected)
    {
        using var folder = new TempFolder();
        string metrics = folder.File("metrics.jsonl");
        File.WriteAllLines(metrics, [Line1, Line2, badLine, Line3]);
        string png = folder.File("learning.png");

        var error = Assert.Throws<InvalidFileException>(() => CurvePlots.LearningCurve(metrics, png));

        Assert.Equal(metrics, error.Path);
        Assert.Contains(expected, error.Message);
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void LearningCurve_rejects_a_missing_or_empty_file()
    {
        using var folder = new TempFolder();
        string metrics = folder.File("metrics.jsonl");
        Assert.Contains("not found", Assert.Throws<InvalidFileException>(() => CurvePlots.LearningCurve(metrics, folder.File("a.png"))).Message);
        File.WriteAllText(metrics, "");
        Assert.Contains("no lines", Assert.Throws<InvalidFileException>(() => CurvePlots.LearningCurve(metrics, folder.File("a.png"))).Message);
    }

    [Fact]
    public void LearningCurves_draws_several_runs_and_refuses_a_run_without_evaluations()
    {
        using var folder = new TempFolder();
        MetricsLine Line(long n, double cost, double errors) => new(n, n / 1000.0, cost + 1, errors + 1, cost, errors);
        var a = new[] { Line(1000, 60, 20), Line(2000, 10, 3), Line(3000, 0.2, 0) };
        var b = new[] { Line(1000, 62, 21), Line(2000, 30, 9) };
        string png = folder.File("plots/learning.png");
        CurvePlots.LearningCurves([new("seed1", a, "ntm-lstm"), new("seed2", b, "ntm-lstm"), new("lstm seed1", b, "lstm")], "copy", png);
        PngAssert.IsPicture(png, CurvePlots.Width, 2 * CurvePlots.PanelHeight);

        Assert.Throws<MalformedDataException>(() => CurvePlots.LearningCurves([], "copy", png));
        var unevaluated = new[] { new MetricsLine(1000, 1, 50, 10, null, null) };
        var e = Assert.Throws<MalformedDataException>(() => CurvePlots.LearningCurves([new("seed1", a), new("seed9", unevaluated)], "copy", png));
        Assert.Contains("\"seed9\"", e.Message);
    }

    [Fact]
    public void LearningCurveBands_draws_each_groups_mean_and_range_holding_a_stopped_runs_last_value()
    {
        using var folder = new TempFolder();
        MetricsLine Line(long n, double cost, double errors) => new(n, n / 1000.0, cost + 1, errors + 1, cost, errors);
        var a = new[] { Line(1000, 60, 20), Line(2000, 10, 3), Line(3000, 0.2, 0) };
        var b = new[] { Line(1000, 62, 21), Line(2000, 30, 9) };
        string png = folder.File("plots/bands.png");
        CurvePlots.LearningCurveBands([new("seed1", a, "ntm-lstm"), new("seed2", b, "ntm-lstm"), new("lstm seed1", b, "lstm")], "copy", png);
        PngAssert.IsPicture(png, CurvePlots.Width, 2 * CurvePlots.PanelHeight);

        // b stopped at 2,000 sequences: at 3,000 it counts with its last value, 30.
        var band = CurvePlots.Band("ntm-lstm", [[(1000, 60), (2000, 10), (3000, 0.2)], [(1000, 62), (2000, 30)]]);
        Assert.Equal([1000.0, 2000, 3000], band.Xs);
        Assert.Equal([61.0, 20, 15.1], band.Ys.Select(y => Math.Round(y, 6)));
        Assert.Equal([60.0, 10, 0.2], band.Low!);
        Assert.Equal([62.0, 30, 30], band.High!);
        // A curve that starts later does not count before its first point; one curve has no band.
        var late = CurvePlots.Band("x", [[(1000, 4)], [(2000, 8)]]);
        Assert.Equal([4.0, 6], late.Ys);
        Assert.Null(CurvePlots.Band("one", [[(1000, 4)]]).Low);

        Assert.Throws<MalformedDataException>(() => CurvePlots.LearningCurveBands([], "copy", png));
        var unevaluated = new[] { new MetricsLine(1000, 1, 50, 10, null, null) };
        Assert.Contains("\"seed9\"", Assert.Throws<MalformedDataException>(
            () => CurvePlots.LearningCurveBands([new("seed1", a), new("seed9", unevaluated)], "copy", png)).Message);
    }

    [Fact]
    public void GeneralizationCurve_draws_one_or_more_named_series()
    {
        using var folder = new TempFolder();
        (double, double, double)[] ntm = [(10, 0, 0), (20, 0.01, 0), (40, 5, 1.5), (80, 40, 9)];
        (double, double, double)[] lstm = [(10, 0.5, 0.1), (20, 2, 0.5), (40, 300, 60), (80, 900, 200)];

        string one = folder.File("one.png");
        CurvePlots.GeneralizationCurve([new GeneralizationSeries("NTM", ntm)], "sequence length", one);
        PngAssert.IsPicture(one, CurvePlots.Width, 2 * CurvePlots.PanelHeight);

        string two = folder.File("two.png");
        CurvePlots.GeneralizationCurve([new GeneralizationSeries("NTM", ntm), new GeneralizationSeries("LSTM", lstm)],
            "sequence length", two);
        PngAssert.IsPicture(two, CurvePlots.Width, 2 * CurvePlots.PanelHeight);
    }

    [Fact]
    public void GeneralizationCurve_rejects_empty_or_invalid_series()
    {
        using var folder = new TempFolder();
        string png = folder.File("g.png");
        Assert.Throws<MalformedDataException>(() => CurvePlots.GeneralizationCurve([], "length", png));
        Assert.Throws<MalformedDataException>(() =>
            CurvePlots.GeneralizationCurve([new GeneralizationSeries("NTM", [])], "length", png));
        Assert.Throws<MalformedDataException>(() =>
            CurvePlots.GeneralizationCurve([new GeneralizationSeries("NTM", [(10.0, double.NaN, 0.0)])], "length", png));
        Assert.False(File.Exists(png));
    }

    [Theory]
    [InlineData(new[] { 1.0, 2.0, 3.0 }, false, 0.0)]
    [InlineData(new[] { 0.0, 0.0 }, false, 0.0)]
    [InlineData(new[] { 60.0, 0.5, 0.02 }, true, 0.001)]
    [InlineData(new[] { 20.0, 0.5, 0.0 }, true, 0.01)]
    public void Y_axis_is_logarithmic_when_values_span_a_decade(double[] values, bool log, double floor)
    {
        var scale = CurvePlots.YScale.For(values);
        Assert.Equal(log, scale.IsLog);
        if (log) Assert.Equal(floor, scale.Floor, 12);
        if (log) Assert.Equal(Math.Log10(floor), scale.ToLog(0), 12);
    }
}
