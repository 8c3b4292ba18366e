using System.CommandLine;
using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Spectre.Console;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm params</c>: parameter counts of the paper's models, ours beside the paper's.</summary>
internal static class ParamsCommand
{
    public static Command Build()
    {
        var task = new Argument<string?>("task") { Description = "Only this task.", Arity = ArgumentArity.ZeroOrOne };
        var json = Cli.Opt("--json", "Print a JSON array instead of a table.", false);
        var cmd = new Command("params", "Parameter counts of the three models per task, beside the paper's figures (see docs/parameters.md for why they differ), and the paper's RMSProp learning rate, which ntm train uses.") { task, json };
        cmd.SetAction(p => Cli.Run(() =>
        {
            string? only = p.GetValue(task)?.ToLowerInvariant();
            if (only is not null && !ModelPresets.All.Any(x => x.Task == only))
                throw new InvalidConfigurationException($"No paper model for task '{only}'; choose one of {string.Join(", ", ModelPresets.All.Select(x => x.Task).Distinct())}.");
            var rows = ModelPresets.All.Where(x => only is null || x.Task == only).Select(x =>
            {
                ISequenceTask t = TaskCatalog.Create(x.Task);
                var config = x.Config with { InputSize = t.InputSize, OutputSize = t.OutputSize };
                var layout = new ParameterLayout(config);
                return (x, layout.TrainableCount);
            }).ToList();
            if (p.GetValue(json))
            {
                Cli.PrintJson(rows.Select(r => new { task = r.x.Task, model = EnumSpelling.Format(r.x.Model), parameters = r.TrainableCount, paper = r.x.PaperParameters, paper_learning_rate = r.x.PaperLearningRate }).ToList());
                return 0;
            }
            var table = new Table().Title("Trainable parameters: ours and the paper's");
            table.AddColumns("task", "model");
            table.AddColumn(new TableColumn("ours").RightAligned());
            table.AddColumn(new TableColumn("paper").RightAligned());
            table.AddColumn(new TableColumn("ours / paper").RightAligned());
            table.AddColumn(new TableColumn("paper's lr").RightAligned());
            foreach (var (x, count) in rows)
                table.AddRow(x.Task, EnumSpelling.Format(x.Model), count.ToString("N0"), x.PaperParameters.ToString("N0"), Cli.F((double)count / x.PaperParameters, 3),
                    x.PaperLearningRate.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        }));
        return cmd;
    }
}
