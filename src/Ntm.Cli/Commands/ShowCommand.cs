using System.CommandLine;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Ntm.Viz;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm show</c>: runs a trained machine on one fresh sequence and draws what it did.</summary>
internal static class ShowCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var best = Cli.BestOption();
        var rows = Cli.MemoryRowsOption();
        var length = Cli.OptNull<int>("--length", "Sequence length (copy-like tasks); default: a training-distribution sequence.").AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the sequence.", 7UL);
        var outDir = Cli.OptStr("--out", "Folder for the PNG files (default: DIR/show).");
        var full = Cli.Opt("--all-rows", "Draw every memory row instead of zooming on the rows the heads used.", false);
        var cmd = new Command("show", "Draw PNG heatmaps of one sequence: inputs, targets, outputs, every head's weightings, erase/add vectors, reads and the final memory.")
        { dir, best, rows, length, seed, outDir, full };
        cmd.SetAction(p => Cli.Run(() =>
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine model = Cli.LoadMachine(run, p.GetValue(best), p.GetValue(rows));
            ISequenceTask task = p.GetValue(length) is { } l ? run.TaskWithLength(l) : run.Task;
            string folder = p.GetValue(outDir) ?? Path.Combine(run.Directory, "show");
            IReadOnlyList<string> files = Draw(model, task, p.GetValue(seed), folder, zoom: !p.GetValue(full));
            foreach (string f in files) Console.WriteLine(f);
            return 0;
        }));
        return cmd;
    }

    public static IReadOnlyList<string> Draw(NeuralTuringMachine model, ISequenceTask task, ulong seed, string folder, bool zoom)
    {
        if (model.Config.Heads == 0)
            throw new InvalidConfigurationException("This model has no memory heads (a plain LSTM): there are no weightings to draw.");
        var trace = model.Trace(task.Sample(new Rng(seed), 1));
        return TracePlots.Write(trace, folder, new TracePlotOptions { ZoomToUsedRows = zoom });
    }
}
