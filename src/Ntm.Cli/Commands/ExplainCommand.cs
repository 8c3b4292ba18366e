using System.CommandLine;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Programs;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm explain</c>: extracts the program a trained machine runs, prints it, draws it, and measures how well the program stands in for the machine.</summary>
internal static class ExplainCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var best = Cli.BestOption();
        var outDir = Cli.OptStr("--out", "Folder for the state diagram and program.json (default: the run folder's explain/).");
        var json = Cli.Opt("--json", "Print one JSON object (program, candidates, agreement) instead of text.", false);
        var count = Cli.Opt("--count", "Random training sequences on which the program is compared with the machine.", 1000).AtLeast(1);
        var beyond = Cli.Opt("--beyond-count", "Sequences at each value beyond training.", 100).AtLeast(1);
        var traces = Cli.Opt("--traces", "Training sequences traced to extract the program.", 100).AtLeast(1);
        var heldOut = Cli.Opt("--held-out", "Training sequences on which the candidate programs are compared to choose one.", 100).AtLeast(1);
        var reach = Cli.Opt("--reach", "Largest axis value (length, or items) at which the program alone is run on the task, from the axis minimum doubling.", 1000).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the sequences and of the clustering.", 12345UL);
        var cmd = new Command("explain", "Extract the program a trained copy, repeat-copy or associative-recall machine runs: a finite-state machine over a tape (docs/programs.md). Prints it as pseudo-code, draws its state diagram, and reports how often it agrees with the machine and how far it stays correct. For a priority-sort machine: what each head does, by the rank of the vector due (docs/results.md, Priority sort).")
            { dir, best, outDir, json, count, beyond, traces, heldOut, reach, seed };
        cmd.SetAction(p => Cli.Run(() =>
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine machine = run.LoadModel(p.GetValue(best));
            ISequenceTask task = run.Task;
            if (task is PrioritySortTask sort)
                return ExplainSort(run, machine, sort, p.GetValue(traces), p.GetValue(seed), p.GetValue(outDir), p.GetValue(json));
            if (!ProgramExtractor.Supports(task))
                throw new InvalidConfigurationException($"ntm explain has no program extractor for the {task.Name} task; it extracts programs of copy, repeat-copy and associative-recall machines.");
            ulong s = p.GetValue(seed);
            ExtractionResult result = ProgramExtractor.Extract(machine, task, p.GetValue(traces), p.GetValue(heldOut), s);
            TapeProgram program = result.Program;
            var rows = new List<AgreementRow>();
            var rng = new Rng(s + 1);
            int n = machine.Config.MemoryRows;
            rows.Add(ProgramAgreement.Measure("training", program, machine, task, task.Sample, p.GetValue(count), n, rng));
            var sequenceTask = (SequenceTask)task;
            TaskAxis axis = sequenceTask.Axis ?? throw new InvalidConfigurationException($"The {task.Name} task has no axis to measure the program along.");
            int unit = task is AssociativeRecallTask a ? a.ItemLength + 1 : 1;
            var values = sequenceTask.GeneralizationPoints.Select(g => g.Axis[axis.Name]).Where(v => v > axis.TrainingMax).Order().ToList();
            if (values.Count > 0) values.Add(2 * values[^1]);
            foreach (int v in values)
                rows.Add(ProgramAgreement.Measure($"{axis.Name} {v}", program, machine, task, (r, b) => axis.Make(r, b, v), p.GetValue(beyond), Math.Max(n, v * unit), rng));
            var reachRows = new List<AgreementRow>();
            int limit = p.GetValue(reach);
            // The axis minimum, doubling up to the training maximum, then doubling from it up to --reach.
            var reachValues = new List<int>();
            for (int v = Math.Max(1, axis.Minimum); v < axis.TrainingMax && v < limit; v *= 2) reachValues.Add(v);
            for (int v = Math.Min(axis.TrainingMax, limit); ; v = Math.Min(limit, 2 * v))
            {
                reachValues.Add(v);
                if (v >= limit) break;
            }
            // One row per input vector; repeat copy one more, so that a pass can see where the data ends.
            int extra = task is RepeatCopyTask ? 1 : 0;
            foreach (int at in reachValues)
                reachRows.Add(ProgramAgreement.Measure($"{axis.Name} {at}", program, null, task, (r, b) => axis.Make(r, b, at), at >= 200 ? 10 : 50, at * unit + extra, rng));
            AgreementRow? machineStops = rows.Skip(1).FirstOrDefault(r => r.SequenceAgreement < 0.99);
            AgreementRow? programStops = reachRows.FirstOrDefault(r => r.ProgramCorrect < 1);
            string folder = p.GetValue(outDir) ?? Path.Combine(run.Directory, "explain");
            Directory.CreateDirectory(folder);
            var report = new Dictionary<string, object?>
            {
                ["task"] = task.Name, ["run"] = run.Directory,
                ["method"] = result.Chosen.Method, ["labels_before_merging"] = result.Chosen.Labels, ["states"] = program.States.Count - 1,
                ["trace_sequences"] = result.TraceSequences, ["held_out_sequences"] = result.HeldOutSequences,
                ["candidates"] = result.Candidates.Select(c => new Dictionary<string, object?> { ["method"] = c.Method, ["labels"] = c.Labels, ["states"] = c.States - 1, ["agreement"] = c.Agreement, ["consistency"] = c.Consistency }).ToArray(),
                ["program"] = ProgramText.ToJson(program),
                ["agreement"] = rows.Select(Row).ToArray(),
                ["reach"] = reachRows.Select(Row).ToArray(),
                ["machine_stops_agreeing_at"] = machineStops?.Label,
                ["program_first_wrong_at"] = programStops?.Label,
            };
            Io.AtomicFile.WriteAllText(Path.Combine(folder, "program.json"), System.Text.Json.JsonSerializer.Serialize(report, Io.Json.Indented));
            string picture = Path.Combine(folder, "program.png");
            Viz.ProgramPlots.StateDiagram(program, $"{task.Name}: {program.States.Count - 1} states ({result.Chosen.Method}; {result.Chosen.Labels} before merging)", picture);
            if (p.GetValue(json))
            {
                Cli.PrintJson(report);
                return 0;
            }
            bool small = rows[0].SequenceAgreement >= 0.99;
            Console.WriteLine(small
                ? $"{task.Name}: a program of {program.States.Count - 1} states ({result.Chosen.Labels} before merging; states from {result.Chosen.Method})"
                : $"{task.Name}: no small program found: {program.States.Count - 1} states, agreement {rows[0].SequenceAgreement:P1} of training sequences (best of {result.Candidates.Count} candidates: {result.Chosen.Method})");
            Console.WriteLine();
            Console.Write(ProgramText.PseudoCode(program));
            Console.WriteLine();
            Console.WriteLine("agreement with the machine (outputs thresholded at 0.5, scored steps only):");
            foreach (AgreementRow r in rows)
            {
                Console.WriteLine($"  {r.Label,-14} {r.Sequences,5} sequences: {r.BitAgreement:P2} of bits, {r.SequenceAgreement:P1} of sequences; exactly right: program {r.ProgramCorrect:P1}, machine {r.MachineCorrect:P1}");
                if (r != rows[0] || r.Groups is null) continue;
                // Sequences agreeing per length (items) and per repeat count, where the program fails at training sizes.
                foreach (var kind in r.Groups.GroupBy(g => g.Label[..g.Label.IndexOf(' ', StringComparison.Ordinal)]))
                    Console.WriteLine($"    by {kind.Key}: " + string.Join(", ", kind.Select(g => $"{g.Label[(kind.Key.Length + 1)..]}: {g.Agreeing}/{g.Sequences}")));
            }
            Console.WriteLine("the program alone on the task:");
            foreach (AgreementRow r in reachRows)
                Console.WriteLine($"  {r.Label,-14} {r.Sequences,5} sequences, tape of {r.TapeRows} rows: {r.ProgramCorrect:P1} exactly right");
            Console.WriteLine(machineStops is null ? "the machine agrees with the program at every value tried" : $"the machine stops agreeing (under 99% of sequences) at {machineStops.Label}");
            Console.WriteLine(programStops is null ? $"the program is exactly right up to {reachRows[^1].Label}" : $"the program is first wrong at {programStops.Label}");
            Console.WriteLine($"wrote {picture} and {Path.Combine(folder, "program.json")}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// A priority-sort machine: how its storing head places the vectors and where every head looks in the output phase
    /// (<see cref="SortHeadAnalysis"/>), printed and written to FOLDER/heads.json.
    /// </summary>
    private static int ExplainSort(RunFolder run, NeuralTuringMachine machine, PrioritySortTask task, int traces, ulong seed, string? outDir, bool json)
    {
        SortHeadAnalysis a = SortHeadAnalysis.Measure(machine, task, traces, new Rng(seed));
        var report = new Dictionary<string, object?>
        {
            ["task"] = task.Name, ["run"] = run.Directory, ["sequences"] = a.Sequences, ["output_steps"] = a.OutputSteps,
            ["storing_write_head"] = a.StoringHead, ["consecutive_fraction"] = a.ConsecutiveFraction, ["priority_row_correlation"] = a.PriorityRowCorrelation,
            ["lags"] = Enumerable.Range(SortHeadAnalysis.MinLag, SortHeadAnalysis.MaxLag - SortHeadAnalysis.MinLag + 1).ToArray(),
            ["heads"] = a.Heads.Select(h => new Dictionary<string, object?>
            {
                ["kind"] = h.Kind, ["index"] = h.Index, ["sharp_steps"] = h.SharpSteps, ["by_lag"] = h.ByLag,
                ["mode_lag"] = h.Mode?.Lag, ["mode_steps"] = h.Mode?.Steps,
            }).ToArray(),
        };
        string folder = outDir ?? Path.Combine(run.Directory, "explain");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, "heads.json");
        Io.AtomicFile.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(report, Io.Json.Indented));
        if (json)
        {
            Cli.PrintJson(report);
            return 0;
        }
        Console.WriteLine($"{task.Name}: what the heads do, over {a.Sequences} traced sequences ({a.OutputSteps} output steps)");
        Console.WriteLine($"input phase: write head {a.StoringHead} stores the vectors; {a.ConsecutiveFraction:P1} of its moves go to a neighbouring row; "
            + $"rank correlation of its row with the vector's priority {a.PriorityRowCorrelation:F2} (about 0: arrival order; near +1 or -1: rows chosen by priority)");
        Console.WriteLine($"output phase, k = the rank of the vector due (0: highest priority); steps on which a head holds at least half its weight on one row, and of those how many on the row of the vector of rank k+3 .. k-3:");
        foreach (SortHeadRow h in a.Heads)
        {
            string mode = h.Mode is { } m
                ? $"mostly {(m.Lag == 0 ? "the vector due" : m.Lag > 0 ? $"the vector output {m.Lag} step{(m.Lag == 1 ? "" : "s")} before" : $"the vector due {-m.Lag} step{(m.Lag == -1 ? "" : "s")} later")} ({(double)m.Steps / a.OutputSteps:P0} of output steps)"
                : "never on a stored vector";
            Console.WriteLine($"  {h.Kind} head {h.Index}: {h.SharpSteps,6} sharp; by rank k+3 .. k-3: {string.Join(" ", h.ByLag.Select(c => $"{c,5}"))}   {mode}");
        }
        Console.WriteLine($"wrote {file}");
        return 0;
    }

    private static Dictionary<string, object?> Row(AgreementRow r) => new()
    {
        ["at"] = r.Label, ["sequences"] = r.Sequences, ["tape_rows"] = r.TapeRows,
        ["bit_agreement"] = double.IsNaN(r.BitAgreement) ? null : r.BitAgreement,
        ["sequence_agreement"] = double.IsNaN(r.SequenceAgreement) ? null : r.SequenceAgreement,
        ["program_correct"] = r.ProgramCorrect, ["machine_correct"] = r.MachineCorrect,
        ["groups"] = r.Groups is { Count: > 0 } g ? g.Select(x => new Dictionary<string, object?> { ["group"] = x.Label, ["sequences"] = x.Sequences, ["agreeing"] = x.Agreeing }).ToArray() : null,
    };
}
