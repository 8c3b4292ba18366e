using System.CommandLine;
using System.Text.Json;
using Ntm.Io;
using Ntm.Limits;
using Ntm.Model;
using Ntm.Training;
using Ntm.Viz;
using Spectre.Console;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm limits</c>: where trained machines stop working along their task's axis, at several memory sizes, and why.</summary>
internal static class LimitsCommand
{
    /// <summary>The JSON file <c>--out</c> writes.</summary>
    public const string JsonFileName = "limits.json";

    public static Command Build() => Build(out _);

    /// <summary>The command, and the function that searches the runs of its parsed arguments and gives what <c>--json</c> prints.</summary>
    internal static Command Build(out Func<ParseResult, object> jsonOf)
    {
        var dirs = new Argument<string[]>("dir") { Description = "Run folders (seeds, models) of one task.", Arity = ArgumentArity.OneOrMore };
        var best = Cli.BestOption();
        var rows = new Option<int[]>("--memory-rows")
        {
            Description = "Memory sizes to run the trained weights with (repeatable; default: the trained size).",
            AllowMultipleArgumentsPerToken = true,
        };
        rows.Validators.Add(r =>
        {
            if (Cli.TryGetValue(r, out int[]? v) && v is not null && v.FirstOrDefault(x => x < 1) is var bad && v.Any(x => x < 1))
                r.AddError($"--memory-rows must be at least 1, got {bad}.");
        });
        var count = Cli.Opt("--count", "Fresh sequences per axis value.", 100).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the sequences.", 12345UL);
        var max = Cli.OptNull<int>("--max", "Largest axis value searched (default: twice the memory rows or twice the training maximum, whichever is larger).").AtLeast(1);
        var hard = Cli.HardOption();
        var hardThreshold = Cli.HardThresholdOption();
        var axis = Cli.OptStr("--axis", "The axis to search along (default: the task's own, e.g. length; repeat copy also has repeats).");
        var json = Cli.Opt("--json", "Print a JSON array instead of tables.", false);
        var outDir = Cli.OptStr("--out", $"Also write {JsonFileName} and the pictures into this folder.");
        var cmd = new Command("limits",
            "Find where trained machines stop working along their task's axis (copy: length; recall: items; ...): the largest value with 99% of sequences exact and with under 1% of bits wrong, with intervals, at each memory size; and why they break.")
        { dirs, best, rows, count, seed, max, axis, hard, hardThreshold, json, outDir };
        List<(string Run, string Model, LimitsResult Result)> Search(ParseResult p) => Progress.Run("limits", report => SearchAll(p, report));
        List<(string Run, string Model, LimitsResult Result)> SearchAll(ParseResult p, Action<string> report)
        {
            var results = new List<(string Run, string Model, LimitsResult Result)>();
            var runs = p.GetValue(dirs)!.Select(d => (Dir: d, Run: RunFolder.Open(d))).ToList();
            if (runs.Select(r => r.Run.Settings.Task).Distinct().Count() > 1)
                throw new InvalidConfigurationException($"Give run folders of one task; these are of {string.Join(", ", runs.Select(r => r.Run.Settings.Task).Distinct())}.");
            foreach ((string dir, RunFolder run) in runs)
            {
                NeuralTuringMachine trained = run.LoadModel(p.GetValue(best));
                int[] sizes = p.GetValue(rows) is { Length: > 0 } given ? given : [trained.Config.MemoryRows];
                foreach (int n in sizes)
                {
                    NeuralTuringMachine machine = (trained.Config.Heads == 0 ? trained : trained.WithMemoryRows(n))
                        .WithAttention(Cli.Attention(p.GetValue(hard), p.GetValue(hardThreshold)));
                    LimitsResult r = LimitSearch.Run(machine, run.Task, trained.Config.MemoryRows, p.GetValue(count), p.GetValue(seed), p.GetValue(max),
                        line => report($"{dir}: {line}"), p.GetValue(axis));
                    results.Add((dir, ModelName(run.Settings.Model), r));
                }
            }
            return results;
        }
        jsonOf = p => Search(p).Select(x => ToJson(x.Run, x.Model, x.Result)).ToList();
        cmd.SetAction(p => Cli.Run(() =>
        {
            var results = Search(p);

            var objects = results.Select(x => ToJson(x.Run, x.Model, x.Result)).ToList();
            if (p.GetValue(outDir) is { } folder)
            {
                Directory.CreateDirectory(folder);
                AtomicFile.WriteAllText(Path.Combine(folder, JsonFileName), JsonSerializer.Serialize(objects, Json.Indented) + "\n");
                foreach (string picture in LimitsPlots.Write(results.Select(x => (x.Run, x.Result)).ToList(), folder))
                    Console.Error.WriteLine(picture);
            }
            if (p.GetValue(json)) { Cli.PrintJson(objects); return 0; }
            PrintTables(results);
            return 0;
        }));
        return cmd;
    }

    private static string ModelName(NtmConfig c) => c.Heads == 0 ? "lstm" : c.Controller == ControllerKind.Lstm ? "ntm-lstm" : "ntm-ff";

    internal static string Limit(BreakdownLimit l) => l.Value is null ? "none"
        : (l.Censored ? ">= " : "") + l.Value + (l.Low == l.High && l.Low == l.Value ? "" : $" [{l.Low?.ToString() ?? "none"}, {l.High?.ToString() ?? "none"}]");

    private static void PrintTables(List<(string Run, string Model, LimitsResult Result)> results)
    {
        LimitsResult first = results[0].Result;
        var table = new Table().Title($"{first.Task}: where it stops working along {first.Axis} (trained up to {first.TrainingMax})");
        foreach (string c in new[] { "run", "model", "memory rows", "99% exact up to", "< 1% bits wrong up to" })
            table.AddColumn(new TableColumn(c));
        foreach (var (run, model, r) in results)
            table.AddRow(Markup.Escape(run), model, r.MemoryRows.ToString(), Markup.Escape(Limit(r.Exact)), Markup.Escape(Limit(r.Bits)));
        AnsiConsole.Write(table);
        Console.WriteLine("Why it breaks (at the first value past the exact limit):");
        foreach (var (run, _, r) in results)
            Console.WriteLine($"  {run}, {r.MemoryRows} rows: {r.Verdict}");
        if (results.GroupBy(x => (x.Model, x.Result.MemoryRows)).All(g => g.Count() == 1)) return;
        var summary = new Table().Title(Markup.Escape("Across runs: median [range]"));
        foreach (string c in new[] { "model", "memory rows", "runs", "99% exact up to", "< 1% bits wrong up to" }) summary.AddColumn(c);
        foreach (var g in results.GroupBy(x => (x.Model, x.Result.MemoryRows)).OrderBy(g => g.Key.Model).ThenBy(g => g.Key.MemoryRows))
            summary.AddRow(g.Key.Model, g.Key.MemoryRows.ToString(), g.Count().ToString(),
                Markup.Escape(Spread(g.Select(x => x.Result.Exact))), Markup.Escape(Spread(g.Select(x => x.Result.Bits))));
        AnsiConsole.Write(summary);
    }

    private static string Spread(IEnumerable<BreakdownLimit> limits)
    {
        var v = limits.Select(l => (double)(l.Value ?? 0)).Order().ToArray();
        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        return $"{median:0.#} [{v[0]:0}, {v[^1]:0}]";
    }

    internal static Dictionary<string, object?> ToJson(string run, string model, LimitsResult r) => new()
    {
        ["run"] = run,
        ["model"] = model,
        ["task"] = r.Task,
        ["memory_rows"] = r.MemoryRows,
        ["attention"] = r.Attention,
        ["trained_memory_rows"] = r.TrainedMemoryRows,
        ["axis"] = r.Axis,
        ["training_max"] = r.TrainingMax,
        ["cap"] = r.Cap,
        ["exact_limit"] = r.Exact.Value,
        ["exact_limit_interval"] = new[] { r.Exact.Low, r.Exact.High },
        ["exact_censored"] = r.Exact.Censored,
        ["bit_limit"] = r.Bits.Value,
        ["bit_limit_interval"] = new[] { r.Bits.Low, r.Bits.High },
        ["bit_censored"] = r.Bits.Censored,
        ["points"] = r.Points,
        ["verdict"] = r.Verdict,
        ["diagnosis"] = r.Diagnosis,
    };
}
