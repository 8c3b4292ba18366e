using System.CommandLine;
using System.Text.Json;
using Ntm.Io;
using Ntm.Limits;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Ntm.Viz;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm report</c>: one self-contained HTML page about a run.</summary>
internal static class ReportCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var outFile = Cli.OptStr("--out", "The HTML file (default: DIR/report.html).");
        var count = Cli.Opt("--count", "Fresh sequences per generalisation point and per axis value of the limit search.", 50).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the pictured and evaluated sequences.", 7UL);
        var cmd = new Command("report", "Write one self-contained HTML page (images embedded) with the configuration, learning curve, heatmaps, generalisation and limits.")
        { dir, outFile, count, seed };
        cmd.SetAction(p => Cli.Run(() =>
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine model = run.LoadModel();
            string html = p.GetValue(outFile) ?? Path.Combine(run.Directory, "report.html");
            string pictures = Path.Combine(run.Directory, "report-images");
            Directory.CreateDirectory(pictures);
            var images = new List<ReportImage>();

            string curve = Path.Combine(pictures, "learning-curve.png");
            CurvePlots.LearningCurve(run.MetricsPath, curve);
            images.Add(new ReportImage("Learning curve: cost and bit errors per sequence against training sequences.", curve));

            IReadOnlyList<GeneralizationRow> rows = Generalization.Run(model, run.Task, p.GetValue(count), p.GetValue(seed));
            var axes = rows[0].Axis.Keys.ToList();
            if (axes.Count > 0 && rows.Count > 1)
            {
                string gen = Path.Combine(pictures, "generalisation.png");
                CurvePlots.GeneralizationCurve(
                    [new GeneralizationSeries(run.Settings.Task, rows.Select(r => ((double)r.Axis[axes[0]], r.Score.CostBits, r.Score.BitErrors)).ToList())],
                    axes[0], gen);
                images.Add(new ReportImage($"Generalisation: cost and bit errors against {axes[0]}.", gen));
            }
            if (model.Config.Heads > 0)
            {
                var trace = ShowCommand.Draw(model, run.Task, p.GetValue(seed), Path.Combine(pictures, "trace"), zoom: true);
                string overview = trace.First(f => Path.GetFileName(f) == TracePlots.OverviewFileName);
                images.Add(new ReportImage("One sequence: inputs, outputs (grey: steps the loss does not score), write and read weightings, add vectors and reads (head 0).", overview));
                images.AddRange(trace.Where(f => f != overview).Select(f => new ReportImage(Path.GetFileNameWithoutExtension(f), f)));
            }
            var tableRows = rows.Select(r => (IReadOnlyList<string>)axes.Select(a => r.Axis[a].ToString())
                .Concat([Cli.F(r.Score.CostBits, 2), Cli.F(r.Score.BitErrors, 3)])
                .Concat(r.Score.OptimalCostBits is { } o ? [Cli.F(o, 2)] : Array.Empty<string>()).ToList()).ToList();
            var columns = axes.Concat(["cost (bits/seq)", "bit errors/seq"]).Concat(rows.Any(r => r.Score.OptimalCostBits is not null) ? ["optimal (bits/seq)"] : Array.Empty<string>()).ToList();
            ReportTable? limits = Limits(run, model, p.GetValue(count), p.GetValue(seed), Path.Combine(pictures, "limits"), images);
            MetricsLine? last = run.ReadMetrics().LastOrDefault();
            HtmlReport.Write(html, new ReportContent
            {
                Title = $"Neural Turing Machine: {run.Settings.Task} ({model.TrainableParameterCount:N0} parameters)",
                Summary = last is null ? "No metrics were recorded." :
                    $"Trained on {last.Sequences:N0} sequences in {Cli.F(last.Seconds, 1)} s; last evaluation {Cli.F(last.EvalCostBits, 2)} bits and {Cli.F(last.EvalBitErrors)} bit errors per sequence"
                    + (last.EvalOptimalCostBits is { } floor ? $" (the optimal predictor: {Cli.F(floor, 2)} bits on the same sequences)." : "."),
                ConfigurationJson = JsonSerializer.Serialize(run.Settings, Json.Indented),
                Images = images,
                Tables = [new ReportTable($"Generalisation ({p.GetValue(count)} sequences per row)", columns, tableRows), .. limits is null ? Array.Empty<ReportTable>() : [limits]],
            });
            Console.WriteLine(html);
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// The limits section (<c>ntm limits</c>): the breakdown search at the trained memory size and at
    /// <see cref="LimitsMemoryFactor"/> times it, with its pictures added to <paramref name="images"/>
    /// and its table returned; null (no section) for a task without an axis or a model without memory
    /// heads. A memory that cannot be resized (learned or random initial memory) is searched at the
    /// trained size only, and the table says why.
    /// </summary>
    private static ReportTable? Limits(RunFolder run, NeuralTuringMachine model, int count, ulong seed, string folder, List<ReportImage> images)
    {
        if (model.Config.Heads == 0 || (run.Task as SequenceTask)?.Axis is null) return null;
        int trained = model.Config.MemoryRows;
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(run.Directory)));
        var results = new List<(string Run, LimitsResult Result)> { (name, LimitSearch.Run(model, run.Task, trained, count, seed)) };
        string? notResized = null;
        NeuralTuringMachine? larger = null;
        try { larger = model.WithMemoryRows(LimitsMemoryFactor * trained); }
        catch (InvalidConfigurationException e) { notResized = e.Message; }
        if (larger is not null) results.Add((name, LimitSearch.Run(larger, run.Task, trained, count, seed)));

        IReadOnlyList<string> pictures = LimitsPlots.Write(results, folder);
        LimitsResult first = results[0].Result;
        images.Add(new ReportImage(
            $"Limits: the fraction of sequences exactly right and the bit error rate against {first.Axis}, with the trained memory ({trained} rows)"
            + (larger is null ? "" : $" and {LimitsMemoryFactor} times it") + "; dots mark the limits.", pictures[0]));
        for (int k = 0; k < results.Count; k++)
            if (pictures.FirstOrDefault(f => Path.GetFileName(f) == LimitsPlots.SharpnessFileName(k)) is { } sharpness)
                images.Add(new ReportImage(
                    $"Why it breaks with {results[k].Result.MemoryRows} rows, at {first.Axis} {results[k].Result.Diagnosis!.Value}: each head's largest weight and entropy along the sequence.",
                    sharpness));

        var rows = results.Select(x => (IReadOnlyList<string>)
        [
            x.Result.MemoryRows.ToString(), LimitsCommand.Limit(x.Result.Exact), LimitsCommand.Limit(x.Result.Bits),
            x.Result.Verdict,
        ]).ToList();
        if (notResized is not null) rows.Add([$"{LimitsMemoryFactor * trained}", "not run", "not run", notResized]);
        return new ReportTable(
            $"Limits: where it stops working along {first.Axis} (trained up to {first.TrainingMax}; {count} sequences per value)",
            ["memory rows", "99% of sequences exact up to [95% interval]", "< 1% of bits wrong up to [95% interval]", "why it breaks"], rows);
    }

    /// <summary>The larger memory the report's limit search also runs with, as a multiple of the trained one.</summary>
    internal const int LimitsMemoryFactor = 4;
}
