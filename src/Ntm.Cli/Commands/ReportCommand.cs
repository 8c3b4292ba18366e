using System.CommandLine;
using System.Text.Json;
using Ntm.Io;
using Ntm.Model;
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
        var count = Cli.Opt("--count", "Fresh sequences per generalisation point.", 50).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the pictured and evaluated sequences.", 7UL);
        var cmd = new Command("report", "Write one self-contained HTML page (images embedded) with the configuration, learning curve, heatmaps and generalisation.")
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
            MetricsLine? last = run.ReadMetrics().LastOrDefault();
            HtmlReport.Write(html, new ReportContent
            {
                Title = $"Neural Turing Machine: {run.Settings.Task} ({model.TrainableParameterCount:N0} parameters)",
                Summary = last is null ? "No metrics were recorded." :
                    $"Trained on {last.Sequences:N0} sequences in {Cli.F(last.Seconds, 1)} s; last evaluation {Cli.F(last.EvalCostBits, 2)} bits and {Cli.F(last.EvalBitErrors)} bit errors per sequence"
                    + (last.EvalOptimalCostBits is { } floor ? $" (the optimal predictor: {Cli.F(floor, 2)} bits on the same sequences)." : "."),
                ConfigurationJson = JsonSerializer.Serialize(run.Settings, Json.Indented),
                Images = images,
                Tables = [new ReportTable($"Generalisation ({p.GetValue(count)} sequences per row)", columns, tableRows)],
            });
            Console.WriteLine(html);
            return 0;
        }));
        return cmd;
    }
}
