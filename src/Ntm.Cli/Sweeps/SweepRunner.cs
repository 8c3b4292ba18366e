using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ntm.Cli.Commands;
using Ntm.Io;
using Ntm.Training;

namespace Ntm.Cli.Sweeps;

/// <summary>What running one trial did.</summary>
internal enum TrialOutcome
{
    /// <summary>It was finished already; nothing ran.</summary>
    Skipped,
    /// <summary>It ran (trained, resumed, or only ran missing post-training steps) and is now finished.</summary>
    Ran,
    /// <summary>It failed; the error was printed.</summary>
    Failed,
}

/// <summary>
/// Runs trials of a sweep: one trial into its folder (idempotent: a finished trial is skipped, an interrupted one
/// resumes from its checkpoint and then runs its missing post-training steps), several one after another, or all of
/// them K at a time as child processes.
/// </summary>
internal static class SweepRunner
{
    /// <summary>
    /// Runs one trial into its folder. Progress (one line per metrics report) goes to <paramref name="log"/>, one line
    /// saying what was done to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="NtmException">The trial's folder is locked by another process, was made by other training
    /// arguments, or training or a step failed.</exception>
    public static TrialOutcome RunTrial(SweepFile sweep, SweepTrial trial, int threads, TextWriter output, TextWriter log)
    {
        TrialFolder folder = sweep.Folder(trial);
        string name = $"trial {trial.Index} {trial.Id}";
        using IDisposable held = folder.Lock();
        TrialState state = folder.State;
        if (state == TrialState.Finished)
        {
            output.WriteLine($"{name}: finished already, skipped");
            return TrialOutcome.Skipped;
        }
        TrialRecord? record = folder.ReadRecord();
        if (state == TrialState.Changed)
            throw new InvalidFileException(folder.TrialPath,
                $"this trial was run with other ntm train arguments ({string.Join(' ', record!.TrainArguments)}); move the folder away, or give the sweep another --out.");

        // Keep the steps whose outputs were made with the options the sweep gives now.
        var done = trial.After.Where(s => folder.Done(s, record)).ToDictionary(s => s.Command, s => s.Arguments);
        folder.WriteRecord(done);

        string verdict = folder.Trained ? folder.ReadTrainSummary().Summary : Train(folder, threads, log);

        foreach (SweepStep step in trial.After.Where(s => !done.ContainsKey(s.Command)))
        {
            log.WriteLine($"{trial.Id}: ntm {step.Command} {string.Join(' ', step.Arguments)}".TrimEnd());
            Command cmd = SweepFile.StepCommand(step.Command, out Func<ParseResult, object> jsonOf);
            ParseResult parse = cmd.Parse([folder.RunDirectory, .. step.Arguments, "--json"]);
            if (parse.Errors.Count > 0) throw new InvalidConfigurationException($"ntm {step.Command}: {parse.Errors[0].Message}");
            object json = jsonOf(parse);
            AtomicFile.WriteAllText(folder.StepPath(step), JsonSerializer.Serialize(json, Json.Indented) + "\n");
            done[step.Command] = step.Arguments;
            folder.WriteRecord(done);
        }
        output.WriteLine($"{name}: finished: {verdict}");
        return TrialOutcome.Ran;
    }

    /// <summary>Trains the trial's run: resumes it from its checkpoint if it has one, else starts it afresh; writes <c>train.json</c>.</summary>
    private static string Train(TrialFolder folder, int threads, TextWriter log)
    {
        SweepTrial trial = folder.Trial;
        string run = folder.RunDirectory;
        TrainingSession session;
        if (File.Exists(Path.Combine(run, RunFolder.ConfigFileName)) && File.Exists(Path.Combine(run, RunFolder.CheckpointFileName)))
        {
            session = TrainingSession.Resume(run, threads: threads);
            log.WriteLine($"{trial.Id}: resuming at {session.Trainer.SequencesSeen:N0} sequences");
        }
        else
        {
            // Killed before its first checkpoint: nothing to keep, and the same settings give the same run again.
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
            RunSettings settings = TrainCommand.ParseSettings([.. trial.TrainArguments, "--threads", threads.ToString(CultureInfo.InvariantCulture)]);
            session = TrainingSession.Start(run, settings);
            log.WriteLine($"{trial.Id}: ntm train {string.Join(' ', trial.TrainArguments)} ({session.Model.TrainableParameterCount:N0} parameters, {threads} thread{(threads == 1 ? "" : "s")})");
        }
        RunSummary summary = session.Run(line => log.WriteLine($"{trial.Id}: {TrainCommand.Format(line)}"));
        string verdict = TrainCommand.Verdict(summary);
        folder.WriteTrainSummary(new TrainSummary
        {
            Solved = summary.Solved, Sequences = summary.Sequences, Seconds = Math.Round(summary.Seconds, 3), StopReason = summary.StopReason,
            FirstSolvedSequences = summary.FirstSolved?.Sequences, FirstSolvedSeconds = summary.FirstSolved?.Seconds, Summary = verdict,
        });
        return verdict;
    }

    /// <summary>
    /// Runs the trials one after another in this process; a trial that fails is reported and the next one runs.
    /// Returns 0 if none failed, else 1.
    /// </summary>
    public static int RunSerially(SweepFile sweep, IReadOnlyList<int> indices, int threads)
    {
        var outcomes = new List<(SweepTrial Trial, TrialOutcome Outcome)>();
        foreach (int i in indices)
        {
            SweepTrial trial = sweep.Trial(i);
            try
            {
                outcomes.Add((trial, RunTrial(sweep, trial, threads, Console.Out, Console.Error)));
            }
            catch (Exception e) when (e is NtmException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: trial {trial.Index} {trial.Id}: {e.Message}");
                outcomes.Add((trial, TrialOutcome.Failed));
            }
        }
        return Summarise(outcomes);
    }

    /// <summary>
    /// Runs the trials <paramref name="parallel"/> at a time, each in a child process (<c>ntm sweep run FILE --trial I</c>)
    /// whose output lines are passed on as they come; finished trials are skipped without starting a process. On
    /// SIGINT or SIGTERM the children are stopped (their checkpoints stay, to be resumed). Returns 0 if none failed, else 1.
    /// </summary>
    public static int RunInParallel(SweepFile sweep, IReadOnlyList<int> indices, int parallel, int threads)
    {
        var outcomes = new List<(SweepTrial Trial, TrialOutcome Outcome)>();
        var queue = new Queue<SweepTrial>();
        foreach (int i in indices)
        {
            SweepTrial t = sweep.Trial(i);
            if (sweep.Folder(t).State == TrialState.Finished)
            {
                Console.WriteLine($"trial {t.Index} {t.Id}: finished already, skipped");
                outcomes.Add((t, TrialOutcome.Skipped));
            }
            else queue.Enqueue(t);
        }

        var running = new List<(SweepTrial Trial, Process Process)>();
        var gate = new object();
        bool stopping = false;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            lock (gate)
            {
                if (!stopping) Console.Error.WriteLine("Stopping the running trials; their checkpoints stay, and running the sweep again resumes them.");
                stopping = true;
                foreach (var (_, p) in running)
                    try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            }
        }
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        while (true)
        {
            lock (gate)
            {
                while (!stopping && running.Count < parallel && queue.Count > 0)
                {
                    SweepTrial t = queue.Dequeue();
                    running.Add((t, StartChild(sweep, t, threads)));
                }
                if (running.Count == 0) break;
            }
            // Wait for any child to end.
            Process[] processes;
            lock (gate) processes = running.Select(r => r.Process).ToArray();
            WaitAny(processes);
            lock (gate)
            {
                foreach (var r in running.Where(r => r.Process.HasExited).ToList())
                {
                    r.Process.WaitForExit();   // the output is passed on completely
                    outcomes.Add((r.Trial, r.Process.ExitCode == 0 ? TrialOutcome.Ran : TrialOutcome.Failed));
                    r.Process.Dispose();
                    running.Remove(r);
                }
            }
        }
        foreach (SweepTrial t in queue) outcomes.Add((t, TrialOutcome.Failed));
        if (stopping) Console.Error.WriteLine("error: interrupted; run the sweep again to resume.");
        return stopping ? 1 : Summarise(outcomes);
    }

    private static void WaitAny(Process[] processes)
    {
        while (!processes.Any(p => p.HasExited)) Thread.Sleep(200);
    }

    /// <summary>Starts <c>ntm sweep run FILE --trial I --out OUT --threads T</c> as a child process, passing its output on line by line.</summary>
    private static Process StartChild(SweepFile sweep, SweepTrial trial, int threads)
    {
        (string program, string[] prefix) = Self();
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in prefix) psi.ArgumentList.Add(a);
        foreach (string a in new[] { "sweep", "run", sweep.Path, "--trial", trial.Index.ToString(CultureInfo.InvariantCulture),
                     "--out", sweep.OutDirectory, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Out.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>How to start this command again: the executable, and the assembly when it runs through <c>dotnet</c>.</summary>
    internal static (string Program, string[] Prefix) Self()
    {
        string exe = Environment.ProcessPath ?? throw new InvalidConfigurationException("Cannot tell which program is running, so cannot start trials in parallel.");
        string? entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(entry)
            ? (exe, [entry])
            : (exe, []);
    }

    private static int Summarise(List<(SweepTrial Trial, TrialOutcome Outcome)> outcomes)
    {
        if (outcomes.Count == 1) return outcomes[0].Outcome == TrialOutcome.Failed ? 1 : 0;   // its own line said it all
        int Count(TrialOutcome o) => outcomes.Count(x => x.Outcome == o);
        var failed = outcomes.Where(x => x.Outcome == TrialOutcome.Failed).Select(x => x.Trial).OrderBy(t => t.Index).ToList();
        string line = $"{outcomes.Count} trial{(outcomes.Count == 1 ? "" : "s")}: {Count(TrialOutcome.Ran)} run, {Count(TrialOutcome.Skipped)} skipped (finished already), {failed.Count} failed";
        if (failed.Count > 0) line += ": " + string.Join(", ", failed.Select(t => $"{t.Index} {t.Id}"));
        Console.Error.WriteLine(line);
        return failed.Count == 0 ? 0 : 1;
    }
}
