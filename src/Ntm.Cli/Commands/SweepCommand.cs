using System.CommandLine;
using System.Globalization;
using Ntm.Cli.Sweeps;

namespace Ntm.Cli.Commands;

/// <summary>
/// <c>ntm sweep</c>: many trainings from one sweep file (<see cref="SweepFile"/>), on a scheduler or locally.
/// <c>plan</c> lists the trials and how far each has got, <c>run</c> runs one, several or all of them (idempotently),
/// <c>collect</c> gathers the finished ones into one table and pictures.
/// </summary>
internal static class SweepCommand
{
    /// <summary>The environment variables a trial number is taken from when none is given, in order: Slurm job arrays, Kubernetes Indexed Jobs.</summary>
    public static readonly IReadOnlyList<string> IndexVariables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

    public static Command Build()
    {
        var cmd = new Command("sweep", "Run many trainings from one sweep file (tasks x models x seeds x memory sizes x options), on Slurm, Kubernetes or locally, and gather their results.")
        {
            Plan(), Run(), Collect(),
        };
        return cmd;
    }

    private static Argument<string> FileArgument() => new("file") { Description = "The sweep file (JSON; see the README's \"Sweeps\")." };

    private static Option<string?> OutOption() => Cli.OptStr("--out", "The sweep's folder, instead of the file's \"out\" (default runs/<file name>).");

    private static Command Plan()
    {
        var file = FileArgument();
        var outDir = OutOption();
        var count = Cli.Opt("--count", "Print only the number of trials (for a job array's size).", false);
        var cmd = new Command("plan", "List the numbered trials (id, task, model, seed, memory rows, options) and how many are finished, interrupted or not started.")
        { file, outDir, count };
        cmd.SetAction(p => Cli.Run(() =>
        {
            SweepFile sweep = SweepFile.Load(p.GetValue(file)!, p.GetValue(outDir));
            if (p.GetValue(count))
            {
                Console.WriteLine(sweep.Trials.Count);
                return 0;
            }
            // Options every trial shares go on one line above the table; the table shows the rest.
            var parts = sweep.Trials.Select(t => t.OptionsText.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            var common = parts.Count == 0 ? [] : parts.Skip(1).Aggregate((IEnumerable<string>)parts[0], (a, b) => a.Intersect(b)).ToHashSet();
            if (common.Count > 0) Console.WriteLine($"every trial: {string.Join(' ', parts[0].Where(common.Contains))}");
            var rows = sweep.Trials.Select((t, k) => new[]
            {
                t.Index.ToString(CultureInfo.InvariantCulture), t.Id, t.Task, t.Model, t.Seed.ToString(CultureInfo.InvariantCulture),
                t.MemoryRows?.ToString(CultureInfo.InvariantCulture) ?? "-", string.Join(' ', parts[k].Where(x => !common.Contains(x))) is { Length: > 0 } own ? own : "-",
                SweepCollector.Describe(sweep.Folder(t).State),
            }).ToList();
            string[] header = ["#", "trial", "task", "model", "seed", "rows", "options", "status"];
            int[] widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            foreach (string[] r in rows.Prepend(header))
                Console.WriteLine(string.Join("  ", r.Select((c, i) => i is 0 or 4 ? c.PadLeft(widths[i]) : i == r.Length - 1 ? c : c.PadRight(widths[i]))));
            Console.WriteLine(StatusLine(sweep));
            return 0;
        }));
        return cmd;
    }

    /// <summary>"8 trials in runs/x: 3 finished, 1 interrupted, 4 not started".</summary>
    internal static string StatusLine(SweepFile sweep)
    {
        var states = sweep.Trials.Select(t => sweep.Folder(t).State).ToList();
        string line = $"{states.Count} trial{(states.Count == 1 ? "" : "s")} in {sweep.OutDirectory}: {states.Count(s => s == TrialState.Finished)} finished, "
            + $"{states.Count(s => s == TrialState.Interrupted)} interrupted, {states.Count(s => s == TrialState.NotStarted)} not started";
        int changed = states.Count(s => s == TrialState.Changed);
        return changed > 0 ? line + $", {changed} made with other training arguments (changed)" : line;
    }

    private static Command Run()
    {
        var file = FileArgument();
        var outDir = OutOption();
        var trial = Cli.OptNull<int>("--trial", $"The trial to run (default: ${IndexVariables[0]} or ${IndexVariables[1]}).").AtLeast(0);
        var trials = Cli.OptStr("--trials", "Several trials, one after another: a range A-B, or a list such as 0,3,5-7.");
        var all = Cli.Opt("--all", "Every trial (without a scheduler).", false);
        var parallel = Cli.Opt("--parallel", "Trials at once, each in its own process (with --all or --trials).", 1).AtLeast(1);
        var threads = Cli.Opt("--threads", "Threads per trial (does not change results).", 1).AtLeast(1);
        var cmd = new Command("run",
            "Run trials into OUT/<trial id>/: train (or resume an interrupted run from its checkpoint), then the post-training steps still missing; a finished trial is skipped.")
        { file, outDir, trial, trials, all, parallel, threads };
        cmd.Validators.Add(r =>
        {
            bool hasTrial = r.GetResult(trial) is not null, hasTrials = r.GetResult(trials) is not null, hasAll = r.GetValue(all);
            if ((hasTrial ? 1 : 0) + (hasTrials ? 1 : 0) + (hasAll ? 1 : 0) > 1)
                r.AddError("Give one of --trial, --trials and --all.");
            else if (!hasTrial && !hasTrials && !hasAll && !HasEnvironmentIndex(out string? bad))
                r.AddError(bad ?? $"Name the trials to run: --trial I, --trials A-B or --all (or run inside a Slurm job array, which sets {IndexVariables[0]}, or a Kubernetes Indexed Job, which sets {IndexVariables[1]}).");
            else if (r.GetResult(parallel) is { Implicit: false } && !hasTrials && !hasAll)
                r.AddError("--parallel runs several trials at once: give it with --all or --trials.");
            else if (hasTrials && Cli.TryGetValue(r.GetResult(trials)!, out string? list) && list is not null && ParseTrials(list) is null)
                r.AddError($"--trials must be a range A-B or a list such as 0,3,5-7, got '{list}'.");
        });
        cmd.SetAction(p => Cli.Run(() =>
        {
            SweepFile sweep = SweepFile.Load(p.GetValue(file)!, p.GetValue(outDir));
            int threadCount = p.GetValue(threads);
            IReadOnlyList<int> indices;
            string? from = null;
            if (p.GetValue(all)) indices = Enumerable.Range(0, sweep.Trials.Count).ToList();
            else if (p.GetValue(trials) is { } list) indices = ParseTrials(list)!;
            else if (p.GetValue(trial) is { } one) indices = [one];
            else
            {
                var (index, variable) = IndexFromEnvironment(Environment.GetEnvironmentVariable)!.Value;
                (indices, from) = ([index], variable);
            }
            foreach (int i in indices) sweep.Trial(i);   // every number exists, before anything runs
            if (from is not null) Console.Error.WriteLine($"Trial {indices[0]} from {from}.");
            return p.GetValue(parallel) > 1 && indices.Count > 1
                ? SweepRunner.RunInParallel(sweep, indices, p.GetValue(parallel), threadCount)
                : SweepRunner.RunSerially(sweep, indices, threadCount);
        }));
        return cmd;
    }

    private static Command Collect()
    {
        var file = FileArgument();
        var outDir = OutOption();
        var cmd = new Command("collect",
            $"Gather every finished trial into OUT/{SweepCollector.CsvFileName} and OUT/{SweepCollector.JsonFileName}, draw learning and generalisation curves into OUT/{SweepCollector.PlotFolderName}/, and say which trials are missing.")
        { file, outDir };
        cmd.SetAction(p => Cli.Run(() =>
        {
            SweepFile sweep = SweepFile.Load(p.GetValue(file)!, p.GetValue(outDir));
            SweepCollection c = SweepCollector.Collect(sweep, Console.Error);
            Console.WriteLine($"{c.Rows.Count} of {sweep.Trials.Count} trials in {Path.Combine(sweep.OutDirectory, SweepCollector.CsvFileName)}"
                + (c.Missing.Count == 0 ? "; none missing" : $"; missing: {string.Join(", ", c.Missing.Select(m => $"{m.Trial.Index} {m.Trial.Id} ({SweepCollector.Describe(m.State)})"))}"));
            return 0;
        }));
        return cmd;
    }

    private static bool HasEnvironmentIndex(out string? problem)
    {
        problem = null;
        try
        {
            return IndexFromEnvironment(Environment.GetEnvironmentVariable) is not null;
        }
        catch (InvalidConfigurationException e)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>
    /// The trial number the environment gives (<see cref="IndexVariables"/>, the first one set), with the variable's
    /// name; null if none is set.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The variable is set but is not a whole number of at least 0.</exception>
    internal static (int Index, string Variable)? IndexFromEnvironment(Func<string, string?> variable)
    {
        foreach (string name in IndexVariables)
        {
            string? value = variable(name);
            if (string.IsNullOrWhiteSpace(value)) continue;
            return int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                ? (index, name)
                : throw new InvalidConfigurationException($"{name} must be a trial number (a whole number from 0), got '{value}'.");
        }
        return null;
    }

    /// <summary>Trial numbers from "A-B" or "0,3,5-7", in the order given, each once; null if the text is not such a list.</summary>
    internal static List<int>? ParseTrials(string text)
    {
        var result = new List<int>();
        var seen = new HashSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2) return null;
            if (!int.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out int a)) return null;
            int b = a;
            if (ends.Length == 2 && !int.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out b)) return null;
            if (b < a || b - a >= 1 << 20) return null;
            for (int i = a; i <= b; i++)
                if (seen.Add(i)) result.Add(i);
        }
        return result.Count > 0 ? result : null;
    }
}
