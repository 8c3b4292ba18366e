using System.Globalization;
using Ntm.Io;
using Ntm.Training;
using ScottPlot;

namespace Ntm.Viz;

/// <summary>
/// Line charts of training progress and of generalisation. A panel's y axis turns logarithmic when
/// its positive values span a factor of ten or more; zeros are then drawn at a floor one decade
/// below the smallest positive value's decade, and the axis label says so.
/// </summary>
public static class CurvePlots
{
    /// <summary>Width in pixels of the curve pictures.</summary>
    public const int Width = 900;

    /// <summary>Height in pixels of each of the two stacked panels of a curve picture.</summary>
    public const int PanelHeight = 350;

    /// <summary>
    /// Draws a training run's learning curve from its metrics.jsonl (read by <see cref="RunFolder.ReadMetricsFile"/>):
    /// cost in bits per sequence (training and evaluation) and evaluation bit errors per sequence, against
    /// sequences seen. Each line of the file is one JSON object with the numbers <c>sequences</c>, <c>seconds</c>,
    /// <c>train_cost_bits</c>, <c>eval_cost_bits</c> and <c>eval_bit_errors</c> (the last two may be
    /// <c>null</c> where no evaluation was run), and optionally <c>eval_optimal_cost_bits</c>, the
    /// optimal predictor's cost on the evaluation sequences, drawn as a third cost line ("optimum");
    /// where it is present the lower panel shows the evaluation cost above it instead of bit errors.
    /// Other fields are ignored.
    /// </summary>
    /// <param name="metricsJsonlPath">The metrics file.</param>
    /// <param name="pngPath">The picture to write (replaced atomically).</param>
    /// <exception cref="InvalidFileException">The file is missing or empty, or a line is malformed; the message gives the line number.</exception>
    public static void LearningCurve(string metricsJsonlPath, string pngPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsJsonlPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        IReadOnlyList<MetricsLine> records = RunFolder.ReadMetricsFile(metricsJsonlPath);
        if (records.Count == 0) throw new InvalidFileException(metricsJsonlPath, "no lines; expected one JSON object per line.");

        double[] seen = records.Select(r => (double)r.Sequences).ToArray();
        var evaluated = records.Where(r => r.EvalCostBits is not null).ToArray();
        var withErrors = records.Where(r => r.EvalBitErrors is not null).ToArray();

        var cost = new List<Line>
        {
            new("training", seen, records.Select(r => r.TrainCostBits).ToArray()),
        };
        if (evaluated.Length > 0)
            cost.Add(new Line("evaluation", evaluated.Select(r => (double)r.Sequences).ToArray(),
                evaluated.Select(r => r.EvalCostBits!.Value).ToArray()));
        var floor = records.Where(r => r.EvalOptimalCostBits is not null && r.EvalCostBits is not null).ToArray();
        if (floor.Length > 0)
            cost.Add(new Line("optimum", floor.Select(r => (double)r.Sequences).ToArray(),
                floor.Select(r => r.EvalOptimalCostBits!.Value).ToArray()));
        if (floor.Length > 0)
        {
            // Bit errors say little about a prediction task; the distance to the floor says how far there is to go.
            var gap = new Line("evaluation", floor.Select(r => (double)r.Sequences).ToArray(),
                floor.Select(r => r.EvalCostBits!.Value - r.EvalOptimalCostBits!.Value).ToArray());
            WriteStacked(pngPath, "Learning curve", "sequences seen", cost, [gap],
                ("Learning curve: cost above the optimum", "bits per sequence above the optimum"));
            return;
        }
        var errors = new List<Line>();
        if (withErrors.Length > 0)
            errors.Add(new Line("evaluation", withErrors.Select(r => (double)r.Sequences).ToArray(),
                withErrors.Select(r => r.EvalBitErrors!.Value).ToArray()));

        WriteStacked(pngPath, "Learning curve", "sequences seen", cost, errors);
    }

    /// <summary>
    /// Draws a generalisation table with one or more named series (e.g. the NTM and an LSTM
    /// baseline): cost and bit errors per sequence against the swept quantity, one line each.
    /// </summary>
    /// <param name="series">The series, each with at least one row.</param>
    /// <param name="axisName">What the x axis is, e.g. "sequence length".</param>
    /// <param name="pngPath">The picture to write (replaced atomically).</param>
    /// <exception cref="MalformedDataException">There is no series, a series has no rows, or a value is negative, NaN or infinite.</exception>
    public static void GeneralizationCurve(IReadOnlyList<GeneralizationSeries> series, string axisName, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentException.ThrowIfNullOrWhiteSpace(axisName);
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        if (series.Count == 0) throw new MalformedDataException("A generalisation curve needs at least one series.");
        var cost = new List<Line>();
        var errors = new List<Line>();
        foreach (GeneralizationSeries s in series)
        {
            ArgumentNullException.ThrowIfNull(s);
            if (s.Rows is null || s.Rows.Count == 0) throw new MalformedDataException($"Series \"{s.Name}\" has no rows.");
            foreach (var row in s.Rows)
            {
                if (!double.IsFinite(row.AxisValue) || !double.IsFinite(row.CostBits) || !double.IsFinite(row.BitErrors)
                    || row.CostBits < 0 || row.BitErrors < 0)
                    throw new MalformedDataException(
                        $"Series \"{s.Name}\" has an invalid row ({row.AxisValue}, {row.CostBits}, {row.BitErrors}): " +
                        "values must be finite, cost and bit errors not negative.");
            }
            var sorted = s.Rows.OrderBy(r => r.AxisValue).ToArray();
            double[] xs = sorted.Select(r => r.AxisValue).ToArray();
            cost.Add(new Line(s.Name, xs, sorted.Select(r => r.CostBits).ToArray()));
            errors.Add(new Line(s.Name, xs, sorted.Select(r => r.BitErrors).ToArray()));
        }
        WriteStacked(pngPath, "Generalisation", axisName, cost, errors);
    }

    /// <summary>
    /// Draws the learning curves of several runs in one picture (e.g. the trials of a sweep): the evaluation cost in
    /// bits per sequence above, the evaluation bit errors per sequence below (or, where every run has the optimal
    /// predictor's cost, the cost above it), against sequences seen, one line per run. Runs with the same
    /// <see cref="LearningCurveSeries.Group"/> (e.g. a model) share a colour and one legend entry, so the lines read
    /// by group; runs without a group get a colour and an entry each. Lines without an evaluation are left out.
    /// </summary>
    /// <param name="runs">The runs, each with at least one metrics line.</param>
    /// <param name="title">What the picture shows, e.g. the task.</param>
    /// <param name="pngPath">The picture to write (replaced atomically).</param>
    /// <exception cref="MalformedDataException">There is no run, or a run has no evaluated metrics line.</exception>
    public static void LearningCurves(IReadOnlyList<LearningCurveSeries> runs, string title, string pngPath)
    {
        bool gap = CheckRuns(runs, title, pngPath);
        var palette = new ScottPlot.Palettes.Category10();
        var colours = new Dictionary<string, Color>(StringComparer.Ordinal);
        var cost = new List<Line>();
        var lower = new List<Line>();
        foreach (LearningCurveSeries run in runs)
        {
            var (upper, bottom) = Evaluations(run, gap);
            string key = run.Group ?? run.Name;
            bool first = !colours.ContainsKey(key);
            if (first) colours[key] = palette.GetColor(colours.Count);
            string legend = first ? key : "";
            double[] xs = upper.Select(p => p.X).ToArray();
            cost.Add(new Line(legend, xs, upper.Select(p => p.Y).ToArray(), colours[key]));
            lower.Add(new Line(legend, xs, bottom.Select(p => p.Y).ToArray(), colours[key]));
        }
        WriteStacked(pngPath, $"{title}: evaluation", "sequences seen", cost, lower,
            gap ? ($"{title}: evaluation cost above the optimum", "bits per sequence above the optimum") : null);
    }

    /// <summary>Checks the arguments of a picture of several runs; says whether every run has the optimal predictor's cost.</summary>
    private static bool CheckRuns(IReadOnlyList<LearningCurveSeries> runs, string title, string pngPath)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        if (runs.Count == 0) throw new MalformedDataException("Learning curves need at least one run.");
        foreach (LearningCurveSeries run in runs) ArgumentNullException.ThrowIfNull(run);
        return runs.All(r => r.Metrics.Any(m => m.EvalOptimalCostBits is not null));
    }

    /// <summary>
    /// A run's evaluated reports as (sequences, cost) for the upper panel and (sequences, bit errors, or the cost above
    /// the optimum where <paramref name="gap"/>) for the lower one.
    /// </summary>
    private static ((double X, double Y)[] Upper, (double X, double Y)[] Lower) Evaluations(LearningCurveSeries run, bool gap)
    {
        var evaluated = run.Metrics.Where(m => m.EvalCostBits is not null && (gap ? m.EvalOptimalCostBits is not null : m.EvalBitErrors is not null)).ToArray();
        if (evaluated.Length == 0) throw new MalformedDataException($"Run \"{run.Name}\" has no evaluated metrics line.");
        return (evaluated.Select(m => ((double)m.Sequences, m.EvalCostBits!.Value)).ToArray(),
            evaluated.Select(m => ((double)m.Sequences, gap ? m.EvalCostBits!.Value - m.EvalOptimalCostBits!.Value : m.EvalBitErrors!.Value)).ToArray());
    }

    /// <summary>
    /// Draws the learning curves of several groups of runs (e.g. one group per model, one run per seed) as one line
    /// per group, its mean over the group's runs, inside a shaded band from the group's lowest to its highest run:
    /// the evaluation cost in bits per sequence above, the evaluation bit errors per sequence (or, where every run has
    /// the optimal predictor's cost, the cost above it) below, against sequences seen. A run that stopped before the
    /// longest run of its group (a run stops once solved) counts with its last evaluation from then on, so the mean
    /// does not jump when the fastest runs leave it; the legend gives the number of runs in each group. Runs without a
    /// group form a group each.
    /// </summary>
    /// <param name="runs">The runs, each with at least one evaluated metrics line.</param>
    /// <param name="title">What the picture shows, e.g. the task.</param>
    /// <param name="pngPath">The picture to write (replaced atomically).</param>
    /// <exception cref="MalformedDataException">There is no run, or a run has no evaluated metrics line.</exception>
    public static void LearningCurveBands(IReadOnlyList<LearningCurveSeries> runs, string title, string pngPath)
    {
        bool gap = CheckRuns(runs, title, pngPath);
        var palette = new ScottPlot.Palettes.Category10();
        var cost = new List<Line>();
        var lower = new List<Line>();
        foreach (var group in runs.GroupBy(r => r.Group ?? r.Name))
        {
            var evaluations = group.Select(run => Evaluations(run, gap)).ToList();
            var upper = evaluations.Select(e => e.Upper).ToList();
            var bottom = evaluations.Select(e => e.Lower).ToList();
            Color colour = palette.GetColor(cost.Count);
            string legend = upper.Count == 1 ? group.Key : $"{group.Key} ({upper.Count} runs: mean, lowest-highest)";
            cost.Add(Band(legend, upper, colour));
            lower.Add(Band(legend, bottom, colour));
        }
        WriteStacked(pngPath, $"{title}: evaluation", "sequences seen", cost, lower,
            gap ? ($"{title}: evaluation cost above the optimum", "bits per sequence above the optimum") : null);
    }

    /// <summary>
    /// The mean, lowest and highest of several curves at every x any of them has, each curve holding its last value
    /// after its end (and counting from its first point only).
    /// </summary>
    internal static Line Band(string name, IReadOnlyList<(double X, double Y)[]> curves, Color? colour = null)
    {
        double[] xs = curves.SelectMany(c => c.Select(p => p.X)).Distinct().Order().ToArray();
        var mean = new double[xs.Length];
        var low = new double[xs.Length];
        var high = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            double sum = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            int n = 0;
            foreach (var curve in curves)
            {
                // The curve's value at xs[i]: its last point at or before it.
                int at = -1;
                for (int j = 0; j < curve.Length && curve[j].X <= xs[i]; j++) at = j;
                if (at < 0) continue;
                double y = curve[at].Y;
                sum += y; n++;
                lo = Math.Min(lo, y); hi = Math.Max(hi, y);
            }
            mean[i] = sum / n; low[i] = lo; high[i] = hi;
        }
        return new Line(name, xs, mean, colour) { Low = curves.Count > 1 ? low : null, High = curves.Count > 1 ? high : null };
    }

    /// <summary>Width in pixels reserved for the y axis, so that stacked panels' data areas line up.</summary>
    private const float LeftAxisSize = 85;

    /// <summary>
    /// One named line: x and y values of equal length, in its own colour or the next of the plot's palette; with
    /// <see cref="Low"/> and <see cref="High"/>, a shaded band between them behind the line.
    /// </summary>
    internal sealed record Line(string Name, double[] Xs, double[] Ys, Color? Colour = null)
    {
        /// <summary>The band's lower edge at each x, or null for no band.</summary>
        public double[]? Low { get; init; }
        /// <summary>The band's upper edge at each x, or null for no band.</summary>
        public double[]? High { get; init; }
    }

    /// <summary>Writes the cost panel above the bit-error panel, both over the same x range.</summary>
    private static void WriteStacked(string pngPath, string what, string xLabel, IReadOnlyList<Line> cost, IReadOnlyList<Line> errors,
        (string Title, string YLabel)? bottomPanel = null)
    {
        double[] xs = cost.Concat(errors).SelectMany(l => l.Xs).ToArray();
        double low = xs.Min(), high = xs.Max();
        double pad = high > low ? 0.03 * (high - low) : Math.Max(0.5, 0.05 * Math.Abs(low));
        using Plot top = LinePanel($"{what}: cost", xLabel, "bits per sequence", cost, (low - pad, high + pad));
        (string bottomTitle, string bottomLabel) = bottomPanel ?? ($"{what}: bit errors", "bit errors per sequence");
        using Plot bottom = LinePanel(bottomTitle, xLabel, bottomLabel, errors, (low - pad, high + pad));
        AtomicFile.WriteAllBytes(pngPath, Panels.GridPng([top, bottom], columns: 1, Width, PanelHeight));
    }

    /// <summary>A panel of lines with markers, a legend, and a log y axis when the values span decades.</summary>
    internal static Plot LinePanel(string title, string xLabel, string yLabel, IReadOnlyList<Line> lines, (double Low, double High) xRange)
    {
        var plot = new Plot();
        YScale scale = YScale.For(lines.SelectMany(l => l.Ys.Concat(l.Low ?? []).Concat(l.High ?? [])));
        // The note goes in the title: the y label has only the panel's height to fit in.
        if (scale.IsLog)
            title += scale.HasZeros ? $" (log scale; zeros drawn at {Format(scale.Floor)})" : " (log scale)";
        Panels.Decorate(plot, title, xLabel, yLabel);

        foreach (Line line in lines)
        {
            double[] ys = scale.IsLog ? line.Ys.Select(scale.ToLog).ToArray() : line.Ys;
            if (line.Low is { } low && line.High is { } high)
            {
                var band = plot.Add.FillY(line.Xs, scale.IsLog ? low.Select(scale.ToLog).ToArray() : low,
                    scale.IsLog ? high.Select(scale.ToLog).ToArray() : high);
                band.FillColor = (line.Colour ?? Colors.Gray).WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var scatter = plot.Add.Scatter(line.Xs, ys);
            scatter.LegendText = line.Name;
            if (line.Colour is { } colour) scatter.Color = colour;
            scatter.LineWidth = 2;
            scatter.MarkerSize = line.Xs.Length > 60 ? 0 : 6;
        }
        if (lines.Count == 0)
        {
            plot.Add.Annotation("no data", Alignment.MiddleCenter);
        }
        else
        {
            plot.Legend.FontName = Panels.FontName;
            plot.Legend.FontSize = Panels.TickSize;
            plot.ShowLegend(Edge.Right);     // outside the data, so no line is hidden
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Format };
        plot.Axes.Left.MinimumSize = LeftAxisSize;          // stacked panels line up
        if (scale.IsLog)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = y => Format(Math.Pow(10, y)),
            };
            plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.15);
            plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
            plot.Grid.MinorLineWidth = 1;
        }
        else
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Format };
        }
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(xRange.Low, xRange.High);
        return plot;
    }

    /// <summary>Numbers for tick labels: thousands separated, small values without trailing noise.</summary>
    internal static string Format(double value)
    {
        double abs = Math.Abs(value);
        if (abs >= 1e7 || (abs > 0 && abs < 1e-4)) return value.ToString("0.##E+0", CultureInfo.InvariantCulture);
        if (abs >= 1000 && Math.Abs(value - Math.Round(value)) < 1e-9) return value.ToString("#,0", CultureInfo.InvariantCulture);
        return value.ToString("G4", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a panel's y axis is logarithmic and, if so, where zeros are drawn.</summary>
    internal readonly record struct YScale(bool IsLog, double Floor, bool HasZeros)
    {
        /// <summary>Positive values spanning at least this ratio make the axis logarithmic.</summary>
        internal const double DecadeRatio = 10;

        /// <summary>Log scale when the positive values span at least a decade.</summary>
        public static YScale For(IEnumerable<double> values)
        {
            double minPositive = double.PositiveInfinity, max = 0;
            bool zeros = false;
            foreach (double v in values)
            {
                if (v > 0) minPositive = Math.Min(minPositive, v);
                else zeros = true;
                max = Math.Max(max, v);
            }
            if (double.IsPositiveInfinity(minPositive) || max / minPositive < DecadeRatio) return new YScale(false, 0, zeros);
            double floor = Math.Pow(10, Math.Floor(Math.Log10(minPositive)) - 1);
            return new YScale(true, floor, zeros);
        }

        /// <summary>log10 of the value, with values below the floor (zeros) drawn at the floor.</summary>
        public double ToLog(double value) => Math.Log10(Math.Max(value, Floor));
    }
}
