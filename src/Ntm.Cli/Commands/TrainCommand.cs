using System.CommandLine;
using System.Globalization;
using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Spectre.Console;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm train</c>: trains a machine on a task and saves the run to a folder.</summary>
internal static class TrainCommand
{
    public static Command Build() => Build(out _);

    /// <summary>
    /// The settings a new run would start with for these <c>ntm train</c> arguments (a task and options, no
    /// <c>--resume</c>), read by the command's own parser so that they mean exactly what they mean on the command line.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The arguments do not parse, or a value is out of range.</exception>
    internal static RunSettings ParseSettings(IReadOnlyList<string> args)
    {
        Command cmd = Build(out Func<ParseResult, RunSettings> settingsOf);
        ParseResult p = cmd.Parse(args.ToArray());
        if (p.Errors.Count > 0) throw new InvalidConfigurationException(p.Errors[0].Message);
        return settingsOf(p);
    }

    /// <summary>The command, and the function that turns its parsed arguments into a new run's settings.</summary>
    private static Command Build(out Func<ParseResult, RunSettings> settingsOf)
    {
        var task = new Argument<string?>("task")
        {
            Description = $"Task to learn: {string.Join(", ", TaskCatalog.Names)} (listed above; custom needs --set path=FILE).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var model = Cli.Opt("--model", "Model: ntm-lstm (NTM, LSTM controller), ntm-ff (NTM, feed-forward controller), lstm (3-layer LSTM baseline); sizes from the paper's tables.", EnumSpelling.Format(ModelKind.NtmLstm));
        var controller = Cli.OptStr("--controller", $"Controller kind, overriding the model's: {EnumSpelling.Choices<ControllerKind>()}.");
        var seed = Cli.Opt("--seed", "Seed for the initial weights and the training data.", 1UL);
        var sequences = Cli.Opt("--sequences", "Training sequence budget (total, including earlier sessions when resuming).", 1_000_000L).AtLeast(1L);
        var maxSeconds = Cli.Opt("--max-seconds", "Stop after this many seconds of training (0: no limit).", 0.0).AtLeast(0.0);
        var batchSize = Cli.Opt("--batch-size", "Sequences per minibatch.", new TrainerOptions().BatchSize).AtLeast(1);
        var optimizer = Cli.Opt("--optimizer", $"Update rule: {EnumSpelling.Choices<OptimizerKind>()} (rmsprop is Graves 2013's, the paper's).", EnumSpelling.Format(OptimizerKind.RmsProp));
        var lr = Cli.OptNull<float>("--lr", $"Learning rate (default: rmsprop uses the paper's rate for the task and model, 1e-4 or 3e-5; adam uses {ModelPresets.AdamLearningRate.ToString("0e0", CultureInfo.InvariantCulture)}).");
        var rows = Cli.OptNull<int>("--memory-rows", "Memory rows N (paper: 128).").AtLeast(1);
        var width = Cli.OptNull<int>("--memory-width", "Memory width M (paper: 20).").AtLeast(1);
        var readHeads = Cli.OptNull<int>("--read-heads", "Read heads.").AtLeast(0);
        var writeHeads = Cli.OptNull<int>("--write-heads", "Write heads.").AtLeast(0);
        var ctrlSize = Cli.OptNull<int>("--controller-size", "Units per controller layer.").AtLeast(1);
        var ctrlLayers = Cli.OptNull<int>("--controller-layers", "Controller layers.").AtLeast(1);
        var shifts = Cli.OptNull<int>("--shift-range", "Largest shift S (shifts -S..S; paper: 1).").AtLeast(0);
        var memInit = Cli.OptStr("--memory-init", $"Initial memory: {EnumSpelling.Choices<MemoryInit>()} (constant is 1e-6, the default).");
        var clipValue = Cli.Opt("--clip-value", "Element-wise gradient clip (paper: 10; 0: off).", new TrainerOptions().ClipValue).AtLeast(0f);
        var clipNorm = Cli.Opt("--clip-norm", "Global-norm gradient clip (0: off).", new TrainerOptions().ClipNorm).AtLeast(0f);
        var lrDecay = Cli.Opt("--lr-decay", "Let the learning rate fall along a half cosine to 5% of its start over this many sequences (0: constant).", 0L).AtLeast(0L);
        var clipCarry = Cli.Opt("--clip-carry", "Element-wise clip of the gradients carried back through time at every step, per sequence (0: off).", new TrainerOptions().CarryClip).AtLeast(0f);
        var shards = Cli.Opt("--shards", "Parts each minibatch is split into for parallel work (results depend on this, not on --threads).", new TrainerOptions().Shards).AtLeast(1);
        var threads = Cli.Opt("--threads",
            "Threads working at once (never changes results): on a minibatch's shards, or, when a minibatch is one shard (batch 1), "
            + "inside each time step, where the trainer uses as many as the controller's size makes worth it and keeps them only while they are faster than one.",
            Environment.ProcessorCount).AtLeast(1);
        var reportEvery = Cli.Opt("--report-every", "Evaluate and write a metrics line every this many sequences.", 1000).AtLeast(1);
        var checkpointEvery = Cli.Opt("--checkpoint-every", "Write a resumable checkpoint every this many sequences (0: only at the end).", 10_000L).AtLeast(0L);
        var noStop = Cli.Opt("--no-stop", "Keep training after the run is solved until the budget is spent, then check again whether it still is.", false);
        var lrAfterSolved = Cli.Opt("--lr-after-solved", "With --no-stop: multiply the learning rate by this once the run is solved (1: keep it).",
            RunSettings.DefaultSolvedLearningRateFactor);
        var hardestAfterSolved = Cli.Opt("--hardest-after-solved", "With --no-stop: once the run is solved, draw this share of the training minibatches from the task's hardest training setting, which keeps it solved (0: none).",
            RunSettings.DefaultSolvedHardestFraction);
        var set = new Option<string[]>("--set") { Description = "Task setting key=value (repeatable), e.g. --set max-length=10.", AllowMultipleArgumentsPerToken = false };
        var outDir = Cli.OptStr("--out", "Run folder (default: runs/<task>-<timestamp>).");
        var resume = Cli.OptStr("--resume", "Continue the run in this folder from its last checkpoint.");

        var cmd = new Command("train", "Train a machine on a task; writes config.json, metrics.jsonl, model.safetensors and checkpoint.safetensors.\n\n" + TaskList())
        {
            task, model, controller, seed, sequences, maxSeconds, batchSize, optimizer, lr, rows, width, readHeads, writeHeads,
            ctrlSize, ctrlLayers, shifts, memInit, clipValue, clipNorm, clipCarry, lrDecay, shards, threads, reportEvery, checkpointEvery, noStop, lrAfterSolved, hardestAfterSolved, set, outDir, resume,
        };

        RunSettings NewRun(ParseResult p)
        {
            string taskName = p.GetValue(task) ?? throw new InvalidConfigurationException(
                $"Name a task to train ({string.Join(", ", TaskCatalog.Names)}) or give --resume DIR.");
            taskName = taskName.ToLowerInvariant();
            ModelKind kind = EnumSpelling.Parse<ModelKind>(p.GetValue(model)!);
            NtmConfig config = ModelPresets.For(taskName, kind);
            if (p.GetValue(controller) is { } ck)
                config = config with { Controller = EnumSpelling.Parse<ControllerKind>(ck) };
            if (p.GetValue(memInit) is { } mi)
                config = config with { MemoryInit = EnumSpelling.Parse<MemoryInit>(mi) };
            config = config with
            {
                MemoryRows = p.GetValue(rows) ?? config.MemoryRows,
                MemoryWidth = p.GetValue(width) ?? config.MemoryWidth,
                ReadHeads = p.GetValue(readHeads) ?? config.ReadHeads,
                WriteHeads = p.GetValue(writeHeads) ?? config.WriteHeads,
                ControllerSize = p.GetValue(ctrlSize) ?? config.ControllerSize,
                ControllerLayers = p.GetValue(ctrlLayers) ?? config.ControllerLayers,
                ShiftRange = p.GetValue(shifts) ?? config.ShiftRange,
            };
            OptimizerKind opt = EnumSpelling.Parse<OptimizerKind>(p.GetValue(optimizer)!);
            ulong s = p.GetValue(seed);
            return new RunSettings
            {
                Task = taskName,
                TaskSettings = Cli.ParseSettings(p.GetValue(set)),
                Model = config,
                ModelSeed = s,
                Trainer = new TrainerOptions
                {
                    BatchSize = p.GetValue(batchSize),
                    Optimizer = opt,
                    LearningRate = p.GetValue(lr) ?? ModelPresets.DefaultLearningRate(taskName, kind, opt),
                    ClipValue = p.GetValue(clipValue),
                    ClipNorm = p.GetValue(clipNorm),
                    CarryClip = p.GetValue(clipCarry),
                    DecaySequences = p.GetValue(lrDecay),
                    Shards = p.GetValue(shards),
                    Threads = p.GetValue(threads),
                    Seed = s,
                },
                MaxSequences = p.GetValue(sequences),
                MaxSeconds = p.GetValue(maxSeconds),
                ReportEvery = p.GetValue(reportEvery),
                CheckpointEvery = p.GetValue(checkpointEvery),
                StopWhenConverged = !p.GetValue(noStop),
                SolvedLearningRateFactor = p.GetValue(lrAfterSolved),
                SolvedHardestFraction = p.GetValue(hardestAfterSolved),
            };
        }
        settingsOf = NewRun;

        cmd.SetAction(p => Cli.Run(() =>
        {
            string? resumeDir = p.GetValue(resume);
            TrainingSession session;
            if (resumeDir is not null)
            {
                Option[] fixedAtStart = [model, controller, seed, batchSize, optimizer, lr, rows, width, readHeads, writeHeads, ctrlSize,
                    ctrlLayers, shifts, memInit, clipValue, clipNorm, clipCarry, lrDecay, shards, reportEvery, checkpointEvery, noStop, lrAfterSolved, hardestAfterSolved, set, outDir, maxSeconds];
                foreach (Option s in fixedAtStart)
                    if (p.GetResult(s) is { Implicit: false })
                        throw new InvalidConfigurationException($"{s.Name} cannot change when resuming; the run's config.json fixes it.");
                if (p.GetValue(task) is not null)
                    throw new InvalidConfigurationException("Give either a task or --resume DIR, not both.");
                long? budget = p.GetResult(sequences) is { Implicit: false } ? p.GetValue(sequences) : null;
                session = TrainingSession.Resume(resumeDir, budget, p.GetValue(threads));
                Console.Error.WriteLine($"Resuming {resumeDir} at {session.Trainer.SequencesSeen:N0} sequences.");
            }
            else
            {
                RunSettings settings = NewRun(p);
                string taskName = settings.Task;
                ulong s = settings.ModelSeed;
                ModelKind kind = EnumSpelling.Parse<ModelKind>(p.GetValue(model)!);
                string dir = p.GetValue(outDir)
                    ?? Path.Combine("runs", $"{taskName}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                session = TrainingSession.Start(dir, settings);
                Console.Error.WriteLine(
                    $"Training {EnumSpelling.Format(kind)} on {taskName} ({session.Model.TrainableParameterCount:N0} parameters), seed {s}, into {dir}");
            }

            RunSummary summary = RunWithProgress(session);
            Console.WriteLine($"{session.Settings.Task}: {Verdict(summary)}; saved to {session.Directory}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// The final line's verdict, with the rule: "solved after 12,000 sequences in 7.1 s (under 0.1 bit errors per
    /// sequence at length 20 on 2 x 500 fresh sequences), eval ..."; for a run told to go on, when it was first
    /// solved and whether it still is at the end; for a prediction task (dynamic n-grams), its last gap to the
    /// optimal predictor instead.
    /// </summary>
    internal static string Verdict(RunSummary summary)
    {
        if (summary.Rule.IsPredictionTask)
        {
            // A prediction task is never solved: say what it is measured by instead of quoting a rule it cannot meet.
            string measured = $"trained {summary.Sequences:N0} sequences in {Cli.F(summary.Seconds, 1)} s ({summary.StopReason}; a prediction task, measured by its gap to the optimal predictor)";
            return summary.Last is { EvalOptimalCostBits: { } optimum } l
                ? $"{measured}, eval {Cli.F(l.EvalCostBits, 2)} bits per sequence, the optimal predictor {Cli.F(optimum, 2)} on the same sequences: gap {Cli.F(l.EvalCostBits - optimum, 2)}"
                : measured;
        }
        string rule = summary.Rule.Description;
        string why = summary.FirstSolved is not null && summary.EndCheck is null && summary.Solved
            ? rule
            : $"{summary.StopReason}; solved means {rule}";
        string text = $"{(summary.Solved ? "solved" : "not solved")} after {summary.Sequences:N0} sequences in {Cli.F(summary.Seconds, 1)} s ({why})";
        if (summary.EndCheck is { } end && summary.FirstSolved is { } first)
        {
            string at = summary.Rule.Where;
            string numbers = end.ConfirmBitErrors is { } second ? $"{Cli.F(end.BitErrors)} and {Cli.F(second)}" : Cli.F(end.BitErrors);
            text += $": first solved at {first.Sequences:N0} sequences ({Cli.F(first.Seconds, 1)} s); " + (end.Solved
                ? $"at the end ({summary.Sequences:N0}) still solved: {numbers} bit errors per sequence {at}"
                : $"no longer solved at the end ({summary.Sequences:N0}): {numbers} bit errors per sequence {at}");
        }
        if (summary.Last is { } last)
            text += $", eval {Cli.F(last.EvalCostBits, 2)} bits and {Cli.F(last.EvalBitErrors)} bit errors per sequence"
                + (last.EvalOptimalCostBits is { } floor ? $" (optimal predictor {Cli.F(floor, 2)} bits, gap {Cli.F(last.EvalCostBits - floor, 2)})" : "");
        return text;
    }

    /// <summary>The built-in tasks for the help text: name, description and settings with their defaults.</summary>
    private static string TaskList()
    {
        var text = new System.Text.StringBuilder("Tasks (change a setting with --set key=value; defaults, the paper's, in brackets):");
        int width = TaskCatalog.Names.Max(n => n.Length) + 2;
        foreach (TaskDefinition d in TaskCatalog.BuiltIn)
        {
            string settings = string.Join(", ", d.Settings.Select(s => s.Default is null ? $"{s.Key} (required)" : $"{s.Key} [{s.Default}]"));
            text.Append($"\n  {d.Name.PadRight(width)}{d.Description}\n  {"".PadRight(width)}{settings}");
        }
        return text.ToString();
    }

    private static RunSummary RunWithProgress(TrainingSession session)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            Console.Error.WriteLine("Stopping after this step; the last checkpoint stays valid.");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            bool interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            long max = session.Settings.MaxSequences;
            if (!interactive)
                return session.Run(line => Console.WriteLine(Format(line)), cancel.Token);

            RunSummary? result = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"{session.Settings.Task}: starting", maxValue: max);
                    bar.Value = session.Trainer.SequencesSeen;
                    result = session.Run(line =>
                    {
                        bar.Value = line.Sequences;
                        bar.Description = Markup.Escape(Format(line));
                    }, cancel.Token);
                    bar.Value = max;
                });
            return result!;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>One metrics line as training prints it: sequences, seconds, costs, bit errors, the solved check.</summary>
    internal static string Format(MetricsLine m) =>
        $"{m.Sequences,9:N0} seq {m.Seconds,7:F1} s  train {m.TrainCostBits,7:F2} bits  eval {m.EvalCostBits,7:F2} bits {m.EvalBitErrors,7:F3} bit errors"
        + (m.EvalOptimalCostBits is { } floor ? $"  gap to optimal {m.EvalCostBits - floor,6:F2} bits" : "")
        + (m.SolvedCheckBitErrors is { } check ? $"  solved check {check:F3}" + (m.SolvedConfirmBitErrors is { } confirm ? $" then {confirm:F3}" : "") : "");
}
