using System.CommandLine;
using Ntm.Model;
using Ntm.Training;
using Spectre.Console;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm generalize</c>: evaluates a trained run along its task's axis beyond the training range.</summary>
internal static class GeneralizeCommand
{
    public static Command Build() => Build(out _);

    /// <summary>The command, and the function that evaluates a run for its parsed arguments and gives what <c>--json</c> prints.</summary>
    internal static Command Build(out Func<ParseResult, object> jsonOf)
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var best = Cli.BestOption();
        var memoryRows = Cli.MemoryRowsOption();
        var count = Cli.Opt("--count", "Fresh sequences per point.", 100).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the evaluation sequences.", 12345UL);
        var json = Cli.Opt("--json", "Print a JSON array instead of a table.", false);
        var cmd = new Command("generalize", "Evaluate a trained run beyond its training range (copy: lengths 10-120; repeat copy: length or repeats doubled; recall: 6-20 items; sort: more inputs).")
        { dir, best, memoryRows, count, seed, json };
        (RunFolder Run, IReadOnlyList<GeneralizationRow> Rows) Evaluate(ParseResult p)
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine model = Cli.LoadMachine(run, p.GetValue(best), p.GetValue(memoryRows));
            return (run, Progress.Run($"generalize {run.Settings.Task}", report => Generalization.Run(model, run.Task, p.GetValue(count), p.GetValue(seed), report)));
        }
        jsonOf = p =>
        {
            var (run, rows) = Evaluate(p);
            return ToJson(run, rows);
        };
        cmd.SetAction(p => Cli.Run(() =>
        {
            var (run, rows) = Evaluate(p);
            if (p.GetValue(json))
            {
                Cli.PrintJson(ToJson(run, rows));
                return 0;
            }
            var table = new Table().Title($"{run.Settings.Task}: generalisation ({p.GetValue(count)} sequences per row)");
            var axes = rows[0].Axis.Keys.ToList();
            foreach (string a in axes) table.AddColumn(new TableColumn(a).RightAligned());
            table.AddColumn(new TableColumn("cost (bits/seq)").RightAligned());
            table.AddColumn(new TableColumn("bit errors/seq").RightAligned());
            bool optimal = rows.Any(r => r.Score.OptimalCostBits is not null);
            // A prediction task (a known floor) is never exact; elsewhere, how many sequences had no wrong bit
            // shows whether the errors are spread thin or sit in a few sequences.
            if (!optimal)
                table.AddColumn(new TableColumn("sequences exact").RightAligned());
            else
            {
                table.AddColumn(new TableColumn("optimal (bits/seq)").RightAligned());
                table.AddColumn(new TableColumn("gap (bits/seq)").RightAligned());
            }
            foreach (var r in rows)
            {
                var cells = axes.Select(a => r.Axis[a].ToString()).ToList();
                cells.Add(Cli.F(r.Score.CostBits, 2));
                cells.Add(Cli.F(r.Score.BitErrors, 3));
                if (!optimal)
                    cells.Add($"{r.Score.ExactSequences} of {r.Score.Sequences}");
                else
                {
                    cells.Add(Cli.F(r.Score.OptimalCostBits ?? double.NaN, 2));
                    cells.Add(r.Score.GapStandardErrorBits is { } se && double.IsFinite(se)
                        ? $"{Cli.F(r.Score.GapBits ?? double.NaN, 2)} ± {Cli.F(se, 2)}" : Cli.F(r.Score.GapBits ?? double.NaN, 2));
                }
                table.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }

    private static List<Dictionary<string, object?>> ToJson(RunFolder run, IReadOnlyList<GeneralizationRow> rows) => rows.Select(r =>
    {
        var o = new Dictionary<string, object?> { ["task"] = run.Settings.Task };
        foreach (var (k, v) in r.Axis) o[k] = v;
        o["sequences"] = r.Score.Sequences;
        o["cost_bits"] = r.Score.CostBits;
        o["bit_errors"] = r.Score.BitErrors;
        if (r.Score.OptimalCostBits is null) o["exact_fraction"] = r.Score.ExactFraction;   // a prediction is never exact
        if (r.Score.OptimalCostBits is { } opt)
        {
            o["optimal_cost_bits"] = opt;
            o["gap_bits"] = r.Score.GapBits;
            o["gap_standard_error_bits"] = r.Score.GapStandardErrorBits is { } se && double.IsFinite(se) ? se : null;
        }
        return o;
    }).ToList();
}
