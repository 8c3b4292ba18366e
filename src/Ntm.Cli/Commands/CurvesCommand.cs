using System.CommandLine;
using Ntm.Training;
using Ntm.Viz;

namespace Ntm.Cli.Commands;

/// <summary>
/// <c>ntm curves</c>: the learning curves of several runs in one picture, from their metrics alone, so a run
/// still training (or one that wrote no model) can be drawn beside finished ones.
/// </summary>
internal static class CurvesCommand
{
    public static Command Build()
    {
        var dirs = new Argument<string[]>("dirs") { Description = "The runs' folders.", Arity = ArgumentArity.OneOrMore };
        var outPng = Cli.OptStr("--out", "The PNG file to write (default: curves.png in the current folder).");
        var cmd = new Command("curves", "Draw the evaluation cost and bit errors of several runs against sequences seen, one line per run labelled by its folder's name (a sweep trial's by the trial's); reads only each run's metrics.jsonl, so runs still training can be drawn.")
        { dirs, outPng };
        cmd.SetAction(p => Cli.Run(() =>
        {
            var runs = p.GetValue(dirs)!.Select(d =>
            {
                RunFolder run = RunFolder.Open(d);
                return new LearningCurveSeries(Label(d), run.ReadMetrics());
            }).ToList();
            string png = p.GetValue(outPng) ?? "curves.png";
            CurvePlots.LearningCurves(runs, string.Join(", ", runs.Select(r => r.Name).Distinct()) is { Length: <= 60 } t ? t : $"{runs.Count} runs", png);
            Console.WriteLine(png);
            return 0;
        }));
        return cmd;
    }

    /// <summary>A run's name in the legend: its folder's name, or for a sweep trial's <c>run</c> folder the trial's.</summary>
    internal static string Label(string dir)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        string name = Path.GetFileName(full);
        return name == "run" && Path.GetFileName(Path.GetDirectoryName(full)) is { Length: > 0 } trial ? trial : name;
    }
}
