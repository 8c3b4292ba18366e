using System.Globalization;
using System.Text;
using System.Text.Json;
using Ntm.Io;
using Ntm.Training;
using Ntm.Viz;

namespace Ntm.Cli.Sweeps;

/// <summary>What <see cref="SweepCollector.Collect"/> wrote and found missing.</summary>
/// <param name="Rows">The finished trials' rows, in trial order, each with every column (null where a trial has no value).</param>
/// <param name="Missing">The trials that are not finished, with how far they got.</param>
/// <param name="Files">The files written: the table as CSV and JSON, then the pictures.</param>
internal sealed record SweepCollection(IReadOnlyList<OrderedDictionary<string, object?>> Rows,
    IReadOnlyList<(SweepTrial Trial, TrialState State)> Missing, IReadOnlyList<string> Files);

/// <summary>
/// Gathers the finished trials of a sweep into one table (<c>OUT/sweep.csv</c>, <c>OUT/sweep.json</c>) and draws
/// their learning curves and generalisation (<c>OUT/plots/</c>).
/// </summary>
internal static class SweepCollector
{
    /// <summary>The table as CSV.</summary>
    public const string CsvFileName = "sweep.csv";
    /// <summary>The table as JSON: an array of one object per finished trial, with the CSV's columns.</summary>
    public const string JsonFileName = "sweep.json";
    /// <summary>The folder of the pictures.</summary>
    public const string PlotFolderName = "plots";

    /// <summary>
    /// Writes the table of every finished trial and the pictures; says on <paramref name="log"/>, a plain line at a
    /// time, what it reads and writes and which trials are missing.
    /// </summary>
    /// <exception cref="NtmException">A finished trial's file is malformed.</exception>
    public static SweepCollection Collect(SweepFile sweep, TextWriter log)
    {
        var rows = new List<OrderedDictionary<string, object?>>();
        var missing = new List<(SweepTrial, TrialState)>();
        var finished = new List<(SweepTrial Trial, TrialFolder Folder, RunFolder Run)>();
        foreach (SweepTrial trial in sweep.Trials)
        {
            TrialFolder folder = sweep.Folder(trial);
            TrialState state = folder.State;
            if (state != TrialState.Finished)
            {
                missing.Add((trial, state));
                continue;
            }
            RunFolder run = RunFolder.Open(folder.RunDirectory);
            rows.Add(Row(trial, folder, run));
            finished.Add((trial, folder, run));
        }
        log.WriteLine($"collect: {finished.Count} of {sweep.Trials.Count} trials finished");

        // Every row gets every column: what the trial is and how training ended, then the generalisation figures, then
        // the limits, each in order of first appearance.
        var columns = new List<string>();
        var seen = new HashSet<string>();
        foreach (var row in rows)
            foreach (string key in row.Keys)
                if (seen.Add(key)) columns.Add(key);
        columns = columns.OrderBy(c => c.StartsWith("generalize_", StringComparison.Ordinal) ? 1 : c.StartsWith("limits_", StringComparison.Ordinal) ? 2 : 0).ToList();
        var table = rows.Select(r =>
        {
            var full = new OrderedDictionary<string, object?>();
            foreach (string c in columns) full[c] = r.TryGetValue(c, out object? v) ? v : null;
            return full;
        }).ToList();

        var files = new List<string>();
        Directory.CreateDirectory(sweep.OutDirectory);
        string csv = Path.Combine(sweep.OutDirectory, CsvFileName);
        AtomicFile.WriteAllText(csv, Csv(columns, table));
        string json = Path.Combine(sweep.OutDirectory, JsonFileName);
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(table, Json.Indented) + "\n");
        files.AddRange([csv, json]);
        log.WriteLine($"collect: wrote {csv} and {json} ({table.Count} rows, {columns.Count} columns)");

        files.AddRange(Plots(sweep, finished, log));
        foreach (var (trial, state) in missing)
            log.WriteLine($"collect: missing trial {trial.Index} {trial.Id} ({Describe(state)})");
        return new SweepCollection(table, missing, files);
    }

    /// <summary>How a state reads in messages and in <c>ntm sweep plan</c>.</summary>
    public static string Describe(TrialState state) => state switch
    {
        TrialState.NotStarted => "not started",
        TrialState.Interrupted => "interrupted",
        TrialState.Finished => "finished",
        _ => "changed: made with other training arguments",
    };

    /// <summary>One finished trial's row: what it is, how training ended, and the post-training figures flattened.</summary>
    private static OrderedDictionary<string, object?> Row(SweepTrial trial, TrialFolder folder, RunFolder run)
    {
        TrainSummary train = folder.ReadTrainSummary();
        MetricsLine? last = run.ReadMetrics().LastOrDefault();
        var row = new OrderedDictionary<string, object?>
        {
            ["index"] = trial.Index,
            ["trial"] = trial.Id,
            ["task"] = trial.Task,
            ["model"] = trial.Model,
            ["seed"] = trial.Seed,
            ["memory_rows"] = run.Settings.Model.Heads > 0 ? run.Settings.Model.MemoryRows : null,
            ["options"] = trial.OptionsText,
            ["sequences"] = train.Sequences,
            ["seconds"] = train.Seconds,
            ["solved"] = train.Solved,
            ["first_solved_sequences"] = train.FirstSolvedSequences,
            ["first_solved_seconds"] = train.FirstSolvedSeconds,
            ["final_eval_cost_bits"] = last?.EvalCostBits,
            ["final_eval_bit_errors"] = last?.EvalBitErrors,
        };
        if (last?.EvalOptimalCostBits is { } floor) row["final_eval_optimal_cost_bits"] = floor;

        foreach (SweepStep step in trial.After)
        {
            string path = folder.StepPath(step);
            using JsonDocument doc = ReadJson(path);
            JsonElement root = doc.RootElement;
            switch (step.Command)
            {
                case "eval":
                    foreach (string k in new[] { "cost_bits", "bit_errors", "exact_fraction", "optimal_cost_bits", "gap_bits" })
                        if (root.TryGetProperty(k, out JsonElement v) && v.ValueKind == JsonValueKind.Number) row[$"eval_{k}"] = v.GetDouble();
                    break;
                case "generalize":
                    foreach (JsonElement point in root.EnumerateArray())
                    {
                        var axis = point.EnumerateObject()
                            .Where(p => p.Value.ValueKind == JsonValueKind.Number && !ScoreKeys.Contains(p.Name))
                            .Select(p => p.Name.Replace('-', '_') + p.Value.GetRawText());
                        string prefix = string.Join("_", ["generalize", .. axis]);
                        foreach (string k in new[] { "cost_bits", "bit_errors", "gap_bits" })
                            if (point.TryGetProperty(k, out JsonElement v) && v.ValueKind == JsonValueKind.Number) row[$"{prefix}_{k}"] = v.GetDouble();
                    }
                    break;
                case "limits":
                    foreach (JsonElement result in root.EnumerateArray())
                    {
                        string prefix = $"limits_rows{result.GetProperty("memory_rows").GetInt32()}";
                        foreach (string k in new[] { "exact_limit", "bit_limit" })
                            row[$"{prefix}_{k}"] = result.TryGetProperty(k, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
                    }
                    break;
            }
        }
        return row;
    }

    /// <summary>The numbers of a generalize.json point that are scores; every other number is where the point sits on an axis.</summary>
    private static readonly HashSet<string> ScoreKeys =
        ["sequences", "cost_bits", "bit_errors", "exact_fraction", "optimal_cost_bits", "gap_bits", "gap_standard_error_bits"];

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"not valid JSON: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Per task block: the learning curves of its trials (one colour per model) and, where its trials ran
    /// <c>generalize</c> along one axis, their generalisation curves.
    /// </summary>
    private static List<string> Plots(SweepFile sweep, List<(SweepTrial Trial, TrialFolder Folder, RunFolder Run)> finished, TextWriter log)
    {
        var files = new List<string>();
        string folder = Path.Combine(sweep.OutDirectory, PlotFolderName);
        foreach (var block in finished.GroupBy(f => f.Trial.Name))
        {
            string Label(SweepTrial t) => t.Id.StartsWith(block.Key + "-", StringComparison.Ordinal) ? t.Id[(block.Key.Length + 1)..] : t.Id;
            // One colour per model where the block has several; else one per trial.
            bool byModel = block.Select(f => f.Trial.Model).Distinct().Count() > 1;
            var curves = block.Select(f => new LearningCurveSeries(Label(f.Trial), f.Run.ReadMetrics(), byModel ? f.Trial.Model : null))
                .Where(c => c.Metrics.Any(m => m.EvalCostBits is not null)).ToList();
            if (curves.Count > 0)
            {
                string png = Path.Combine(folder, $"learning-{block.Key}.png");
                // Several models: each model's mean over its seeds inside its lowest-highest band; else every trial's own line.
                if (byModel) CurvePlots.LearningCurveBands(curves, block.Key, png);
                else CurvePlots.LearningCurves(curves, block.Key, png);
                files.Add(png);
                log.WriteLine($"collect: wrote {png} ({curves.Count} learning curves{(byModel ? ", each model's mean and range over its trials" : "")})");
            }

            var series = new List<GeneralizationSeries>();
            string? axisName = null;
            foreach (var (trial, trialFolder, _) in block)
            {
                SweepStep? step = trial.After.FirstOrDefault(s => s.Command == "generalize");
                if (step is null) continue;
                using JsonDocument doc = ReadJson(trialFolder.StepPath(step));
                var points = doc.RootElement.EnumerateArray().ToList();
                // The axis: the one setting that differs between the points.
                var keys = points.SelectMany(p => p.EnumerateObject()).Where(p => p.Value.ValueKind == JsonValueKind.Number
                        && !ScoreKeys.Contains(p.Name))
                    .GroupBy(p => p.Name).Where(g => g.Select(p => p.Value.GetRawText()).Distinct().Count() > 1).Select(g => g.Key).ToList();
                if (points.Count < 2 || keys.Count != 1)
                {
                    log.WriteLine($"collect: no generalisation picture for {block.Key}: its points do not vary along one axis");
                    series.Clear();
                    break;
                }
                axisName = keys[0];
                series.Add(new GeneralizationSeries(Label(trial), points.Select(p => (p.GetProperty(axisName).GetDouble(),
                    p.GetProperty("cost_bits").GetDouble(), p.GetProperty("bit_errors").GetDouble())).ToList()));
            }
            if (series.Count > 0 && axisName is not null)
            {
                string png = Path.Combine(folder, $"generalize-{block.Key}.png");
                CurvePlots.GeneralizationCurve(series, axisName, png);
                files.Add(png);
                log.WriteLine($"collect: wrote {png} ({series.Count} generalisation curves along {axisName})");
            }
        }
        if (finished.Any(f => f.Trial.After.Any(s => s.Command == "limits")))
            log.WriteLine("collect: the limits are in the table; for their picture run ntm limits on the trials' run folders with --out");
        return files;
    }

    /// <summary>The table as CSV: a header line, then one line per row; numbers in invariant culture, empty where a row has no value.</summary>
    private static string Csv(List<string> columns, List<OrderedDictionary<string, object?>> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(Field)).Append('\n');
        foreach (var row in rows)
            text.AppendJoin(',', columns.Select(c => Field(row[c] switch
            {
                null => "",
                bool b => b ? "true" : "false",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                object o => o.ToString() ?? "",
            }))).Append('\n');
        return text.ToString();

        static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
    }
}
