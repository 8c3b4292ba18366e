using System.Globalization;
using Ntm.Io;
using Ntm.Limits;
using ScottPlot;
using SkiaSharp;

namespace Ntm.Viz;

/// <summary>
/// Pictures of <c>ntm limits</c> (<see cref="LimitSearch"/>): where trained machines stop working along
/// their task's axis at each memory size (<see cref="ErrorCurves"/>), and what the heads did at the
/// first value where they fail (<see cref="Sharpness"/>).
/// </summary>
public static class LimitsPlots
{
    /// <summary>The name <see cref="Write"/> gives the error-curve picture.</summary>
    public const string ErrorCurvesFileName = "limits.png";

    /// <summary>The name <see cref="Write"/> gives the k-th result's sharpness picture: <c>sharpness-k.png</c>.</summary>
    public static string SharpnessFileName(int k) => $"sharpness-{k}.png";

    /// <summary>Width in pixels of both pictures.</summary>
    public const int Width = 1000;

    /// <summary>Height in pixels of each of the two stacked panels of a picture.</summary>
    public const int PanelHeight = 380;

    /// <summary>Height in pixels of the text band above the panels of <see cref="ErrorCurves"/>.</summary>
    public const int ErrorCurvesHeaderHeight = 64;

    /// <summary>Height in pixels of the text band above the panels of <see cref="Sharpness"/>: the verdict in up to three lines and two of context.</summary>
    public const int SharpnessHeaderHeight = 110;

    /// <summary>The x axis turns logarithmic (base 2 ticks) when the largest axis value is at least this many times the smallest.</summary>
    public const double LogAxisRatio = 8;

    /// <summary>Width of a run's thin line, and of the bold median marker.</summary>
    internal const float RunLineWidth = 1.5f, MedianLineWidth = 5;

    /// <summary>
    /// Draws one PNG of two stacked panels against the axis value: above, the fraction of sequences
    /// exactly right (linear, with the 99% threshold dashed); below, the bit error rate (log scale,
    /// with the 1% threshold dashed; a rate of zero is drawn at a floor one decade below the smallest
    /// positive rate or the threshold, whichever is smaller, and that tick is labelled 0). The x axis is
    /// logarithmic with ticks at powers of two when the values span a factor of
    /// <see cref="LogAxisRatio"/> or more, linear otherwise; the text above the panels says which.
    /// One colour per memory size (legend "N rows"); every result is one thin line through the values
    /// its search scored, with a dot at its limit (the exact limit above, the bit limit below; an open
    /// circle when the limit is censored, i.e. nothing failed up to the cap). Runs are scored at
    /// different axis values, so no median curve is drawn: instead a bold vertical line per memory size
    /// marks the median of the runs' limits at that size (the mean of the middle two for an even count;
    /// a censored limit counts as its value, a lower bound; runs that fail even at the axis minimum are
    /// left out).
    /// </summary>
    /// <param name="results">The results, each with the name of its run; all of one task and axis.</param>
    /// <param name="path">The picture to write (replaced atomically; its folder is created if missing).</param>
    /// <exception cref="MalformedDataException">There is no result, a result has no scored value, or the results are of different tasks or axes.</exception>
    public static void ErrorCurves(IReadOnlyList<(string Run, LimitsResult Result)> results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (results.Count == 0) throw new MalformedDataException("Error curves need at least one limits result.");
        foreach (var (run, r) in results)
        {
            ArgumentNullException.ThrowIfNull(r);
            if (r.Points is null || r.Points.Count == 0) throw new MalformedDataException($"The result of {run} at {r.MemoryRows} rows has no scored value.");
        }
        LimitsResult first = results[0].Result;
        if (results.Any(x => x.Result.Task != first.Task || x.Result.Axis != first.Axis))
            throw new MalformedDataException($"Give results of one task and axis; these are of {string.Join(", ", results.Select(x => $"{x.Result.Task} ({x.Result.Axis})").Distinct())}.");

        var values = results.SelectMany(x => x.Result.Points.Select(p => (double)p.Value)).ToList();
        XScale x = XScale.For(values);
        var sizes = results.Select(r => r.Result.MemoryRows).Distinct().Order().ToList();
        Color ColorOf(int rows) => MemoryColor(sizes.IndexOf(rows));

        // Exact fraction, linear.
        using Plot exact = new();
        Panels.Decorate(exact, "Sequences exactly right", first.Axis, "fraction exact");
        AddThreshold(exact, BreakdownSearch.ExactThreshold, $"{BreakdownSearch.ExactThreshold:0%} exact");
        AddRuns(exact, results, x, ColorOf, p => p.ExactFraction, r => r.Exact);
        AddMedians(exact, results, x, ColorOf, r => r.Exact);
        exact.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = CurvePlots.Format };
        exact.Axes.SetLimitsY(-0.04, 1.06);

        // Bit error rate, log.
        double minPositive = results.SelectMany(r => r.Result.Points).Select(p => p.BitErrorRate).Where(v => v > 0).DefaultIfEmpty(1).Min();
        double floor = Math.Pow(10, Math.Floor(Math.Log10(Math.Min(minPositive, BreakdownSearch.BitErrorThreshold))) - 1);
        double Log(double v) => Math.Log10(Math.Max(v, floor));
        bool zeros = results.SelectMany(r => r.Result.Points).Any(p => p.BitErrorRate <= 0);
        using Plot bits = new();
        Panels.Decorate(bits, "Bit error rate (log scale" + (zeros ? $"; zeros drawn at {CurvePlots.Format(floor)}, labelled 0)" : ")"),
            first.Axis, "wrong bits per scored bit");
        AddThreshold(bits, Log(BreakdownSearch.BitErrorThreshold), $"{BreakdownSearch.BitErrorThreshold:0%} of bits wrong");
        AddRuns(bits, results, x, ColorOf, p => Log(p.BitErrorRate), r => r.Bits);
        AddMedians(bits, results, x, ColorOf, r => r.Bits);
        double logFloor = Math.Log10(floor);
        bits.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = y => Math.Abs(y - logFloor) < 1e-9 ? "0" : CurvePlots.Format(Math.Pow(10, y)),
        };
        bits.Grid.MajorLineColor = Colors.Black.WithOpacity(0.15);
        bits.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
        bits.Grid.MinorLineWidth = 1;
        bits.Axes.SetLimitsY(logFloor - 0.3, 0.2);

        // The legends go inside, where the curves seldom are: under a working machine's exact fraction
        // of 1, above its bit error rate of 0. Outside they would leave the two data areas unaligned.
        foreach ((Plot plot, Alignment corner) in new[] { (exact, Alignment.LowerLeft), (bits, Alignment.UpperLeft) })
        {
            x.Apply(plot);
            plot.Axes.Left.MinimumSize = 85;
            plot.Legend.FontName = Panels.FontName;
            plot.Legend.FontSize = Panels.TickSize;
            plot.ShowLegend(corner);
        }

        int sequences = first.Points[0].Sequences;
        string title = $"{first.Task}: where it stops working along {first.Axis} (trained up to {first.TrainingMax}; {sequences} sequences per value)";
        string note = (results.Count > sizes.Count ? "Thin lines: one run each, through the values its search scored; " : "Lines through the values each search scored; ")
            + "dots: each run's limit (open: nothing failed up to the cap); bold vertical lines: the median limit at each memory size."
            + (x.IsLog ? " Axis value on a log scale." : "");
        var header = Wrap(title, Panels.TitleSize, bold: true, maxLines: 1, Width - 2 * HeaderMargin, SKColors.Black)
            .Concat(Wrap(note, Panels.TickSize, bold: false, maxLines: 2, Width - 2 * HeaderMargin, Grey)).ToList();
        AtomicFile.WriteAllBytes(path, Compose(header, ErrorCurvesHeaderHeight, [exact, bits]));
    }

    /// <summary>
    /// Draws the diagnosis of <paramref name="result"/> (<see cref="FailureReport.Sharpness"/>): for each
    /// head, the largest weight (above, with the focus threshold <see cref="FailureDiagnosis.FocusedWeight"/>
    /// dashed) and the entropy of its weighting in nats (below, with ln N, a uniform weighting over the
    /// N rows, dotted) at every step of the diagnosed sequences, averaged over those that failed. Write heads are solid
    /// warm lines, read heads dashed or dotted cool ones; a dotted vertical line marks where the answer starts
    /// (<see cref="FailureReport.FirstScoredStep"/>). The verdict is the title, wrapped to up to three
    /// lines (its font shrinks if it needs more), with the run, the memory size and the axis value under it.
    /// </summary>
    /// <param name="run">The run's name, shown under the verdict.</param>
    /// <param name="result">A result with a diagnosis.</param>
    /// <param name="path">The picture to write (replaced atomically; its folder is created if missing).</param>
    /// <exception cref="InvalidConfigurationException">The result has no diagnosis (nothing failed up to the cap, or the model has no memory heads).</exception>
    /// <exception cref="MalformedDataException">The diagnosis has no head or a head has no step.</exception>
    public static void Sharpness(string run, LimitsResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FailureReport d = result.Diagnosis ?? throw new InvalidConfigurationException(
            $"The limits result of {run} at {result.MemoryRows} rows has no diagnosis to draw: "
            + (result.Exact.Censored ? $"nothing failed up to {result.Axis} {result.Cap}." : "the model has no memory heads."));
        if (d.Sharpness is null || d.Sharpness.Count == 0 || d.Sharpness.Any(h => h.MaxWeight.Count == 0 || h.Entropy.Count != h.MaxWeight.Count))
            throw new MalformedDataException($"The diagnosis of {run} at {result.MemoryRows} rows has no head focus to draw.");

        int writeHeads = d.Sharpness.Count(h => h.IsWrite);
        int steps = d.Sharpness.Max(h => h.MaxWeight.Count);
        using Plot weight = new();
        Panels.Decorate(weight, "Largest weight of each head", "time step", "largest weight");
        using Plot entropy = new();
        Panels.Decorate(entropy, "Entropy of each head's weighting", "time step", "entropy (nats)");

        AddThreshold(weight, FailureDiagnosis.FocusedWeight, $"focused ({FailureDiagnosis.FocusedWeight:0.0#})", LinePattern.Dashed);
        double uniform = Math.Log(result.MemoryRows);
        AddThreshold(entropy, uniform, $"uniform (ln {result.MemoryRows})", LinePattern.Dotted);
        foreach (HeadSharpness h in d.Sharpness)
        {
            int index = h.IsWrite ? h.Head : h.Head - writeHeads;
            Color color = h.IsWrite ? WriteColors[index % WriteColors.Length] : ReadColors[index % ReadColors.Length];
            string name = $"{(h.IsWrite ? "write" : "read")} head {index}";
            foreach ((Plot plot, IReadOnlyList<double> ys) in new[] { (weight, h.MaxWeight), (entropy, h.Entropy) })
            {
                double[] xs = Enumerable.Range(0, ys.Count).Select(t => (double)t).ToArray();
                var line = plot.Add.ScatterLine(xs, ys.ToArray(), color);
                line.LineWidth = 2.5f;
                line.LinePattern = h.IsWrite ? LinePattern.Solid : ReadPatterns[index % ReadPatterns.Length];
                line.LegendText = name;
            }
        }
        foreach (Plot plot in new[] { weight, entropy })
        {
            var answer = plot.Add.VerticalLine(d.FirstScoredStep, 1.5f, Colors.Black, LinePattern.Dotted);
            answer.LegendText = $"answer starts (step {d.FirstScoredStep})";
            double pad = Math.Max(0.5, 0.01 * steps);
            plot.Axes.SetLimitsX(-pad, steps - 1 + pad);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = CurvePlots.Format };
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = CurvePlots.Format };
            plot.Axes.Left.MinimumSize = 85;
            plot.Legend.FontName = Panels.FontName;
            plot.Legend.FontSize = Panels.TickSize;
            plot.ShowLegend(Edge.Right);
        }
        weight.Axes.SetLimitsY(-0.03, 1.05);
        double top = Math.Max(uniform, d.Sharpness.SelectMany(h => h.Entropy).DefaultIfEmpty(0).Max());
        entropy.Axes.SetLimitsY(-0.04 * top - 0.01, 1.08 * top + 0.01);

        string where = result.Exact.Value is { } limit
            ? $"the first value past the exact limit ({limit})"
            : "the training maximum, where it already fails";
        string context = $"{run}: {result.Task} with {result.MemoryRows} memory rows (trained with {result.TrainedMemoryRows}), "
            + $"{result.Axis} {d.Value}, {where}; head focus averaged over the failing sequences traced.";
        var header = Wrap(d.Verdict, Panels.TitleSize, bold: true, maxLines: 3, Width - 2 * HeaderMargin, SKColors.Black)
            .Concat(Wrap(context, Panels.TickSize, bold: false, maxLines: 2, Width - 2 * HeaderMargin, Grey)).ToList();
        AtomicFile.WriteAllBytes(path, Compose(header, SharpnessHeaderHeight, [weight, entropy]));
    }

    /// <summary>
    /// Writes <see cref="ErrorCurvesFileName"/> (<see cref="ErrorCurves"/>) and, for each result k (its
    /// index in <paramref name="results"/>, as in <c>limits.json</c>) that has a diagnosis,
    /// <c>sharpness-k.png</c> (<see cref="Sharpness"/>) into <paramref name="folder"/>, created if missing.
    /// </summary>
    /// <returns>The full paths of the pictures written, the error curves first.</returns>
    /// <exception cref="MalformedDataException">As <see cref="ErrorCurves"/>.</exception>
    public static IReadOnlyList<string> Write(IReadOnlyList<(string Run, LimitsResult Result)> results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        string curves = Path.GetFullPath(Path.Combine(folder, ErrorCurvesFileName));
        ErrorCurves(results, curves);
        var written = new List<string> { curves };
        for (int k = 0; k < results.Count; k++)
        {
            if (results[k].Result.Diagnosis is null) continue;
            string path = Path.GetFullPath(Path.Combine(folder, SharpnessFileName(k)));
            Sharpness(results[k].Run, results[k].Result, path);
            written.Add(path);
        }
        return written;
    }

    /// <summary>The colour of the i-th memory size (in increasing order of size).</summary>
    internal static Color MemoryColor(int i) => s_palette.GetColor(i);

    private static readonly ScottPlot.Palettes.Category10 s_palette = new();

    /// <summary>Write heads: warm colours; read heads: cool ones.</summary>
    internal static readonly Color[] WriteColors = [new(214, 39, 40), new(255, 127, 14), new(140, 86, 75)];
    internal static readonly Color[] ReadColors = [new(31, 119, 180), new(44, 160, 44), new(148, 103, 189)];

    /// <summary>Read heads' line patterns, so that heads drawn over one another still show.</summary>
    private static readonly LinePattern[] ReadPatterns = [LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private const int HeaderMargin = 16;

    private static readonly SKColor Grey = new(80, 80, 80);

    private static void AddThreshold(Plot plot, double y, string label, LinePattern? pattern = null)
    {
        var line = plot.Add.HorizontalLine(y, 1.5f, new Color(90, 90, 90), pattern ?? LinePattern.Dashed);
        line.LegendText = label;
    }

    /// <summary>One thin line per result through its scored values, and a dot at its limit.</summary>
    private static void AddRuns(Plot plot, IReadOnlyList<(string Run, LimitsResult Result)> results, XScale x, Func<int, Color> colorOf,
        Func<LimitPoint, double> y, Func<LimitsResult, BreakdownLimit> limitOf)
    {
        var named = new HashSet<int>();
        foreach (var (_, r) in results)
        {
            var points = r.Points.OrderBy(p => p.Value).ToList();
            Color color = colorOf(r.MemoryRows);
            var line = plot.Add.Scatter(points.Select(p => x.Map(p.Value)).ToArray(), points.Select(y).ToArray(), color);
            line.LineWidth = RunLineWidth;
            line.MarkerSize = 4;
            if (named.Add(r.MemoryRows)) line.LegendText = $"{r.MemoryRows} rows";
            BreakdownLimit limit = limitOf(r);
            if (limit.Value is { } v && points.FirstOrDefault(p => p.Value == v) is { } at)
            {
                var marker = plot.Add.Marker(x.Map(v), y(at), limit.Censored ? MarkerShape.OpenCircle : MarkerShape.FilledCircle, 11, color);
                marker.MarkerLineWidth = 2;
            }
        }
    }

    /// <summary>A bold vertical line per memory size at the median of its runs' limits.</summary>
    private static void AddMedians(Plot plot, IReadOnlyList<(string Run, LimitsResult Result)> results, XScale x, Func<int, Color> colorOf,
        Func<LimitsResult, BreakdownLimit> limitOf)
    {
        foreach (var group in results.GroupBy(r => r.Result.MemoryRows))
        {
            var limits = group.Select(r => limitOf(r.Result).Value).OfType<int>().Select(v => (double)v).Order().ToArray();
            if (limits.Length == 0) continue;
            plot.Add.VerticalLine(x.Map(Median(limits)), MedianLineWidth, colorOf(group.Key).WithOpacity(0.55));
        }
    }

    /// <summary>The median of sorted values: the middle one, or the mean of the middle two.</summary>
    internal static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>How axis values map to plot x: log2-spaced ticks on a log10 axis, or linear.</summary>
    private readonly record struct XScale(bool IsLog, double Low, double High)
    {
        public static XScale For(IReadOnlyList<double> values)
        {
            double low = values.Min(), high = values.Max();
            return new XScale(low > 0 && high / low >= LogAxisRatio, low, high);
        }

        public double Map(double v) => IsLog ? Math.Log10(v) : v;

        public void Apply(Plot plot)
        {
            if (!IsLog)
            {
                double pad = High > Low ? 0.03 * (High - Low) : 0.5;
                plot.Axes.SetLimitsX(Low - pad, High + pad);
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = CurvePlots.Format };
                return;
            }
            int k0 = (int)Math.Floor(Math.Log2(Low)), k1 = (int)Math.Ceiling(Math.Log2(High));
            int step = Math.Max(1, (int)Math.Ceiling((k1 - k0 + 1) / 12.0));
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int k = k0; k <= k1; k++)
            {
                double v = Math.Pow(2, k);
                if ((k - k0) % step == 0) ticks.AddMajor(Math.Log10(v), CurvePlots.Format(v));
                else ticks.AddMinor(Math.Log10(v));
            }
            plot.Axes.Bottom.TickGenerator = ticks;
            double a = Math.Log10(Low), b = Math.Log10(High), padLog = 0.03 * (b - a);
            plot.Axes.SetLimitsX(a - padLog, b + padLog);
        }
    }

    /// <summary>One line of text above the panels.</summary>
    private sealed record HeaderLine(string Text, float Size, bool Bold, SKColor Color);

    /// <summary>Words of <paramref name="text"/> in lines no wider than <paramref name="width"/>, at most <paramref name="maxLines"/> (the font shrinks until they fit).</summary>
    private static IEnumerable<HeaderLine> Wrap(string text, float size, bool bold, int maxLines, float width, SKColor color)
    {
        for (float s = size; ; s -= 1)
        {
            List<string> lines = WrapAt(text, s, bold, width);
            if (lines.Count <= maxLines || s <= 9)
                return lines.Take(maxLines).Select(l => new HeaderLine(l, s, bold, color)).ToList();
        }
    }

    private static List<string> WrapAt(string text, float size, bool bold, float width)
    {
        using SKFont font = Font(size, bold);
        var lines = new List<string>();
        string current = "";
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && font.MeasureText(candidate) > width) { lines.Add(current); current = word; }
            else current = candidate;
        }
        if (current.Length > 0) lines.Add(current);
        return lines;
    }

    private static SKFont Font(float size, bool bold) =>
        new(SKTypeface.FromFamilyName(Panels.FontName, bold ? SKFontStyle.Bold : SKFontStyle.Normal), size);

    /// <summary>Renders a band of text lines (vertically centred) above the panels, stacked, into one PNG.</summary>
    private static byte[] Compose(IReadOnlyList<HeaderLine> header, int headerHeight, IReadOnlyList<Plot> panels)
    {
        var info = new SKImageInfo(Width, headerHeight + panels.Count * PanelHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        using SKSurface surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"Could not create a {info.Width} x {info.Height} drawing surface.");
        surface.Canvas.Clear(SKColors.White);

        float textHeight = header.Sum(l => l.Size * 1.35f);
        float y = Math.Max(4, (headerHeight - textHeight) / 2);
        foreach (HeaderLine line in header)
        {
            using SKFont font = Font(line.Size, line.Bold);
            using var paint = new SKPaint { Color = line.Color, IsAntialias = true };
            y += line.Size * 1.35f;
            surface.Canvas.DrawText(line.Text, HeaderMargin, y - 0.3f * line.Size, SKTextAlign.Left, font, paint);
        }

        var panelInfo = new SKImageInfo(Width, PanelHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        for (int i = 0; i < panels.Count; i++)
        {
            using SKSurface panel = SKSurface.Create(panelInfo)
                ?? throw new InvalidOperationException($"Could not create a {Width} x {PanelHeight} drawing surface.");
            Panels.FitTitle(panels[i], Width);
            panels[i].Render(panel);
            using SKImage snapshot = panel.Snapshot();
            surface.Canvas.DrawImage(snapshot, 0, headerHeight + i * PanelHeight);
        }
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
