using System.Diagnostics;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;

namespace Ntm.Training;

/// <summary>
/// A training run that lives in a <see cref="RunFolder"/>: it writes the settings, one <see cref="MetricsLine"/>
/// per report, the best and the final weights, and checkpoints from which <see cref="Resume"/> continues. Every
/// whole file is written to a temporary name and renamed, so a crash or a kill at any moment leaves the previous
/// checkpoint whole. A resumed run writes exactly the metrics an uninterrupted run would have (wall-clock
/// seconds aside).
/// </summary>
public sealed class TrainingSession
{
    private readonly List<MetricsLine> _metrics = [];
    private double _priorSeconds;
    private SolvedAt? _firstSolved;
    private double _bestSelectionCost = double.PositiveInfinity;

    /// <summary>The run's folder and its files.</summary>
    public RunFolder Folder { get; }
    /// <summary>The run's folder path.</summary>
    public string Directory => Folder.Directory;
    /// <summary>The run's settings (with a resumed session's new budget and thread count).</summary>
    public RunSettings Settings { get; }
    /// <summary>The task being learned.</summary>
    public ISequenceTask Task { get; }
    /// <summary>The machine being trained.</summary>
    public NeuralTuringMachine Model { get; }
    /// <summary>The trainer (optimiser state, data stream).</summary>
    public Trainer Trainer { get; }
    /// <summary>Metrics lines written so far (including those of earlier sessions of a resumed run).</summary>
    public IReadOnlyList<MetricsLine> Metrics => _metrics;
    /// <summary>What solved means for this run: the strict check behind the early stop and the final verdict.</summary>
    public SolvedRule Rule { get; }
    /// <summary>When the run was first solved (kept across resumes), or null if it has not been yet.</summary>
    public SolvedAt? FirstSolved => _firstSolved;

    private TrainingSession(RunFolder folder, RunSettings settings, NeuralTuringMachine model)
    {
        Folder = folder;
        Settings = settings;
        Task = folder.Task;
        Model = model;
        Trainer = new Trainer(model, Task, settings.Trainer);
        Rule = SolvedRule.For(Task, settings);
    }

    /// <summary>
    /// Starts a new run in <paramref name="directory"/> (created if missing; it must not already hold a run).
    /// The model's input and output widths are taken from the task.
    /// </summary>
    public static TrainingSession Start(string directory, RunSettings settings)
    {
        ISequenceTask task = TaskCatalog.Create(settings.Task, settings.TaskSettings);
        settings = settings with
        {
            TaskSettings = new Dictionary<string, string>(TaskCatalog.Describe(task)),
            Model = settings.Model with { InputSize = task.InputSize, OutputSize = task.OutputSize },
        };
        settings.Validate();
        var model = NeuralTuringMachine.Create(settings.Model, settings.ModelSeed);
        RunFolder folder = RunFolder.Create(directory, settings, task);
        return new TrainingSession(folder, settings, model);
    }

    /// <summary>
    /// Continues the run in <paramref name="directory"/> from its last checkpoint. Metrics lines written
    /// after that checkpoint are dropped (the resumed run writes them again, identically).
    /// </summary>
    /// <param name="directory">The run's folder.</param>
    /// <param name="maxSequences">A new total sequence budget, or null to keep the saved one.</param>
    /// <param name="threads">Threads to use now (does not change the numbers), or null to keep the saved setting.</param>
    public static TrainingSession Resume(string directory, long? maxSequences = null, int? threads = null)
    {
        RunFolder folder = RunFolder.Open(directory);
        RunSettings settings = folder.Settings;
        if (maxSequences is { } max) settings = settings with { MaxSequences = max };
        if (threads is { } th) settings = settings with { Trainer = settings.Trainer with { Threads = th } };
        settings.Validate();
        Checkpoint checkpoint = folder.ReadCheckpoint();
        var model = NeuralTuringMachine.FromParameters(checkpoint.Config, checkpoint.Parameters);
        var session = new TrainingSession(folder, settings, model);

        foreach ((string name, float[] buffer) in session.Trainer.Optimizer.State)
        {
            float[]? saved = checkpoint.OptimizerState.FirstOrDefault(s => s.Name == name).Buffer;
            if (saved is null)
                throw new InvalidFileException(folder.CheckpointPath, $"optimiser state '{name}' is missing.");
            if (saved.Length != buffer.Length)
                throw new InvalidFileException(folder.CheckpointPath, $"optimiser state '{name}' has {saved.Length} values, expected {buffer.Length}.");
            saved.CopyTo(buffer, 0);
        }
        session._priorSeconds = checkpoint.Seconds;
        session._firstSolved = checkpoint.FirstSolved;
        if (session._firstSolved is not null) session.SettleAfterSolved();
        session.Trainer.Restore(checkpoint.DataRng, checkpoint.Sequences, checkpoint.OptimizerSteps);

        // Keep exactly the metrics lines the checkpoint had seen.
        session._metrics.AddRange(folder.KeepMetrics(checkpoint.MetricsLines));
        foreach (MetricsLine m in session._metrics) session._bestSelectionCost = Math.Min(session._bestSelectionCost, m.SelectionCostBits);
        return session;
    }

    /// <summary>Writes <c>checkpoint.safetensors</c> (atomically) with everything needed to resume.</summary>
    public void WriteCheckpoint(double seconds)
        => Folder.WriteCheckpoint(new Checkpoint(Model.Config, Model.Parameters, Trainer.Optimizer.State, Trainer.DataRng,
            Trainer.SequencesSeen, Trainer.Optimizer.Steps, _metrics.Count, seconds, _firstSolved));

    /// <summary>Writes the trained weights to <c>model.safetensors</c> (atomically).</summary>
    public void WriteModel() => WriteModel(best: false);

    private void WriteModel(bool best)
        => Folder.WriteModel(Model, best, Trainer.SequencesSeen, _metrics.Count > 0 ? _metrics[^1].EvalCostBits : null);

    /// <summary>A run that goes on once solved trains on at <see cref="RunSettings.SolvedLearningRateFactor"/> times its rate.</summary>
    private void SettleAfterSolved()
    {
        if (!Settings.StopWhenConverged) Trainer.LearningRateScale = Settings.SolvedLearningRateFactor;
    }

    /// <summary>The evaluation set drawn after <paramref name="sequences"/> training sequences: fresh each time, and the same in a resumed run.</summary>
    public static Rng EvaluationRng(ulong seed, long sequences)
        => new(seed * 0x9E3779B97F4A7C15UL ^ (ulong)sequences ^ 0x5EED_E7A1UL);

    /// <summary>
    /// Trains until solved (<see cref="Rule"/>, if <see cref="RunSettings.StopWhenConverged"/>), out of sequences or
    /// time, or cancelled; writes a metrics line per report, checkpoints on schedule and at the end, and the trained
    /// weights at the end. <paramref name="onReport"/> sees every metrics line as it is written.
    /// <para>
    /// Every report scores a fresh set of the training distribution (<see cref="RunSettings.EvalBatches"/> x
    /// <see cref="RunSettings.EvalBatchSize"/> sequences). Where that set is under the threshold and the run has not
    /// been solved yet, the strict check (<see cref="SolvedRule.Check"/>) runs too, and its outcome goes into the
    /// same line. A run told to go on after being solved is checked again on the weights at the end, for the summary
    /// only (<see cref="RunSummary.EndCheck"/>), so that a run resumed with a larger budget writes exactly the lines an
    /// uninterrupted one would.
    /// </para>
    /// </summary>
    public RunSummary Run(Action<MetricsLine>? onReport = null, CancellationToken cancel = default)
    {
        var s = Settings;
        var clock = Stopwatch.StartNew();
        double Seconds() => _priorSeconds + clock.Elapsed.TotalSeconds;
        double trainCost = 0, trainErrors = 0;
        long trainSeqs = 0, lastCheckpoint = Trainer.SequencesSeen;
        string reason;

        if (_firstSolved is not null && s.StopWhenConverged)
            return Finish("it had already been solved");

        while (true)
        {
            if (Trainer.SequencesSeen >= s.MaxSequences) { reason = $"reached {s.MaxSequences} sequences"; break; }
            if (s.MaxSeconds > 0 && Seconds() >= s.MaxSeconds) { reason = $"reached {s.MaxSeconds} seconds"; break; }
            if (cancel.IsCancellationRequested) { reason = "interrupted"; break; }

            long before = Trainer.SequencesSeen;
            // Once solved and going on, some minibatches come from the hardest setting (RunSettings.SolvedHardestFraction).
            StepResult r = _firstSolved is not null && !s.StopWhenConverged && s.SolvedHardestFraction > 0
                && Trainer.DataRng.NextDouble() < s.SolvedHardestFraction
                ? Trainer.Step(Rule.Point.Make(Trainer.DataRng, s.Trainer.BatchSize))
                : Trainer.Step();
            int bsz = (int)(Trainer.SequencesSeen - before);
            trainCost += r.CostBits * bsz;
            trainErrors += r.BitErrors * bsz;
            trainSeqs += bsz;

            if (Trainer.SequencesSeen / s.ReportEvery > before / s.ReportEvery || Trainer.SequencesSeen >= s.MaxSequences)
            {
                EvaluationResult eval = Evaluation.Run(Model, Task.Sample, s.EvalBatches * s.EvalBatchSize, s.EvalBatchSize,
                    EvaluationRng(s.Trainer.Seed, Trainer.SequencesSeen), Task as IOptimalCostTask);
                // The strict check, until the run is first solved, where the cheap evaluation passes (so it costs little).
                SolvedCheck? solved = _firstSolved is null && eval.BitErrors < s.ConvergedBitErrors ? CheckNow() : null;
                var line = new MetricsLine(Trainer.SequencesSeen, Math.Round(Seconds(), 3), trainCost / trainSeqs, trainErrors / trainSeqs,
                    eval.CostBits, eval.BitErrors, eval.OptimalCostBits, solved?.BitErrors, solved?.ConfirmBitErrors);
                trainCost = trainErrors = 0;
                trainSeqs = 0;
                _metrics.Add(line);
                Folder.AppendMetrics(line);
                onReport?.Invoke(line);
                if (line.SelectionCostBits < _bestSelectionCost)
                {
                    _bestSelectionCost = line.SelectionCostBits;
                    WriteModel(best: true);
                }
                if (solved is { Solved: true } && _firstSolved is null)
                {
                    _firstSolved = new SolvedAt(line.Sequences, line.Seconds);
                    SettleAfterSolved();
                }
                if (_firstSolved is not null && s.StopWhenConverged) { reason = "solved"; break; }
                if (s.CheckpointEvery > 0 && Trainer.SequencesSeen - lastCheckpoint >= s.CheckpointEvery)
                {
                    WriteCheckpoint(Seconds());
                    lastCheckpoint = Trainer.SequencesSeen;
                }
            }
        }
        return Finish(reason);

        SolvedCheck CheckNow() => Rule.Check(Model, SolvedRule.CheckRng(s.Trainer.Seed, Trainer.SequencesSeen));

        RunSummary Finish(string why)
        {
            // A run that went on after being solved: is it still?
            SolvedCheck? end = !s.StopWhenConverged && _firstSolved is not null ? CheckNow() : null;
            // A checkpoint always sits on a report boundary, so a resumed run repeats the steps after
            // the last report identically; if steps ran since then, the previous checkpoint stays.
            if (trainSeqs == 0) WriteCheckpoint(Seconds());
            WriteModel();
            bool solvedNow = s.StopWhenConverged ? _firstSolved is not null : end is { Solved: true };
            return new RunSummary(solvedNow, Trainer.SequencesSeen, Seconds(), _metrics.LastOrDefault(), why, Rule, _firstSolved, end);
        }
    }
}
