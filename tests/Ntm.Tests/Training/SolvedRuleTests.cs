using Ntm.Cli.Commands;
using Ntm.Io;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Tests.Io;
using Ntm.Tests.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

/// <summary>
/// A task whose scores are known whatever the weights. Its training distribution (1-3 steps) scores nothing, so
/// every machine makes 0 bit errors on it and every report's cheap evaluation passes. Its hardest setting
/// ("length 4") scores one bit per sequence, on the last step, whose target is a coin flip while the inputs are
/// zero in every sequence: a machine gives the same output to the same inputs, so it is wrong on about half of
/// them. The first <c>right-first</c> sequences made at the hardest setting score nothing either (a count kept by
/// the task instance), so a check can be made to pass on its first set and fail on its second.
/// </summary>
public sealed class SolvedProbeTask : SequenceTask
{
    /// <summary>Never wrong: more sequences than any test draws.</summary>
    public const int AlwaysRight = 1_000_000_000;

    private int _made;

    /// <summary>The task's name and its one setting.</summary>
    public static TaskDefinition Definition { get; } = new(
        "solved-probe",
        "Nothing to score in training; coin-flip targets on identical inputs at the hardest setting.",
        [TaskSetting.Integer("right-first", 0, "sequences made at the hardest setting before they are scored")],
        s => new SolvedProbeTask(s.Integer("right-first")));

    public SolvedProbeTask(int rightFirst) => RightFirst = rightFirst;

    public int RightFirst { get; }
    public override string Name => Definition.Name;
    public override int InputSize => 1;
    public override int OutputSize => 1;
    public override IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string> { ["right-first"] = TaskSetting.Format(RightFirst) };

    public override AxisPoint HardestTrainingPoint => new(new Dictionary<string, int> { ["length"] = 4 }, MakeHardest);

    public override SequenceBatch Sample(Rng rng, int batchSize) => new(rng.NextInt(1, 3), batchSize, InputSize, OutputSize);

    private SequenceBatch MakeHardest(Rng rng, int batchSize)
    {
        var batch = new SequenceBatch(4, batchSize, InputSize, OutputSize);
        for (int b = 0; b < batchSize; b++)
        {
            batch.Target(3, b)[0] = rng.NextBit() ? 1f : 0f;
            if (_made++ >= RightFirst) batch.MaskAt(3, b) = 1f;
        }
        return batch;
    }
}

[Collection(TaskCatalogCollection.Name)]
public sealed class SolvedRuleTests : IDisposable
{
    private const int Sets = 40;   // sequences per set of the solved check: enough for a coin flip to land far above 0.1
    private readonly TempDirectory _dir = new();

    public SolvedRuleTests() => TaskCatalog.Register(SolvedProbeTask.Definition);

    public void Dispose() => _dir.Dispose();

    private static RunSettings Probe(int rightFirst, long maxSequences, bool stop) => new()
    {
        Task = "solved-probe",
        TaskSettings = new() { ["right-first"] = rightFirst.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Model = new NtmConfig { ControllerSize = 6, MemoryRows = 6, MemoryWidth = 4 },
        Trainer = new TrainerOptions { BatchSize = 2, Shards = 1, Threads = 1, Seed = 5 },
        ModelSeed = 5,
        MaxSequences = maxSequences,
        ReportEvery = 8,
        EvalBatches = 2,
        EvalBatchSize = 4,
        SolvedSequences = Sets,
        CheckpointEvery = 16,
        StopWhenConverged = stop,
    };

    [Fact]
    public void A_machine_right_on_the_training_mix_but_wrong_at_the_hardest_setting_is_not_solved()
    {
        TrainingSession session = TrainingSession.Start(_dir.File("wrong"), Probe(0, 24, stop: true));
        RunSummary summary = session.Run();

        Assert.False(summary.Solved);
        Assert.Null(summary.FirstSolved);
        Assert.Equal(24, summary.Sequences);
        Assert.Equal(3, session.Metrics.Count);
        Assert.All(session.Metrics, m =>
        {
            Assert.Equal(0, m.EvalBitErrors);                            // the cheap evaluation passes every time
            Assert.InRange(m.SolvedCheckBitErrors!.Value, 0.25, 0.75);   // the hardest setting does not
            Assert.Null(m.SolvedConfirmBitErrors);                       // so the second set is never drawn
        });
        Assert.Equal(
            "not solved after 24 sequences in " + Ntm.Cli.Cli.F(summary.Seconds, 1) + " s (reached 24 sequences; solved means under 0.1 bit errors per sequence at length 4 on 2 x 40 fresh sequences)",
            TrainCommand.Verdict(summary)[..TrainCommand.Verdict(summary).IndexOf(", eval", StringComparison.Ordinal)]);
    }

    [Fact]
    public void A_machine_right_at_the_hardest_setting_is_solved_and_stops_at_that_report()
    {
        TrainingSession session = TrainingSession.Start(_dir.File("right"), Probe(SolvedProbeTask.AlwaysRight, 80, stop: true));
        RunSummary summary = session.Run();

        Assert.True(summary.Solved);
        MetricsLine line = Assert.Single(session.Metrics);
        Assert.Equal((8L, 0.0, 0.0), (line.Sequences, line.SolvedCheckBitErrors!.Value, line.SolvedConfirmBitErrors!.Value));
        Assert.Equal(new SolvedAt(8, line.Seconds), summary.FirstSolved);
        Assert.Null(summary.EndCheck);
        Assert.StartsWith("solved after 8 sequences in " + Ntm.Cli.Cli.F(summary.Seconds, 1) + " s (under 0.1 bit errors per sequence at length 4 on 2 x 40 fresh sequences), eval ",
            TrainCommand.Verdict(summary));

        // Resuming a solved run stops at once.
        RunSummary again = TrainingSession.Resume(_dir.File("right")).Run();
        Assert.True(again.Solved);
        Assert.Equal(8, again.Sequences);
        Assert.Equal("it had already been solved", again.StopReason);
    }

    [Fact]
    public void A_first_set_that_passes_does_not_stop_the_run_unless_the_second_confirms_it()
    {
        TrainingSession session = TrainingSession.Start(_dir.File("confirm"), Probe(Sets, 24, stop: true));
        RunSummary summary = session.Run();

        Assert.False(summary.Solved);
        Assert.Equal(24, summary.Sequences);
        Assert.Equal(0, session.Metrics[0].SolvedCheckBitErrors);
        Assert.InRange(session.Metrics[0].SolvedConfirmBitErrors!.Value, 0.25, 0.75);
        Assert.All(session.Metrics.Skip(1), m =>
        {
            Assert.InRange(m.SolvedCheckBitErrors!.Value, 0.25, 0.75);
            Assert.Null(m.SolvedConfirmBitErrors);
        });
    }

    [Fact]
    public void A_run_told_to_go_on_says_when_it_was_first_solved_and_whether_it_still_is_at_the_end()
    {
        TrainingSession still = TrainingSession.Start(_dir.File("still"), Probe(SolvedProbeTask.AlwaysRight, 32, stop: false));
        RunSummary summary = still.Run();
        Assert.True(summary.Solved);
        Assert.Equal(8, summary.FirstSolved!.Sequences);
        Assert.Equal(new SolvedCheck(0, 0, true), summary.EndCheck);
        // Checked in the metrics until first solved; the check at the end is the summary's.
        Assert.Equal([true, false, false, false], still.Metrics.Select(m => m.SolvedCheckBitErrors is not null));
        Assert.Contains($": first solved at 8 sequences ({Ntm.Cli.Cli.F(summary.FirstSolved.Seconds, 1)} s); at the end (32) still solved: 0.000 and 0.000 bit errors per sequence at length 4, eval ",
            TrainCommand.Verdict(summary));

        // Right on the first two sets (the report at 8), wrong on every set after.
        TrainingSession lost = TrainingSession.Start(_dir.File("lost"), Probe(2 * Sets, 32, stop: false));
        summary = lost.Run();
        Assert.False(summary.Solved);
        Assert.Equal(8, summary.FirstSolved!.Sequences);
        SolvedCheck end = summary.EndCheck!;
        Assert.False(end.Solved);
        Assert.Null(end.ConfirmBitErrors);
        Assert.InRange(end.BitErrors, 0.25, 0.75);
        Assert.Contains($"no longer solved at the end (32): {Ntm.Cli.Cli.F(end.BitErrors)} bit errors per sequence at length 4, eval ", TrainCommand.Verdict(summary));
        Assert.StartsWith("not solved after 32 sequences", TrainCommand.Verdict(summary));
    }

    [Fact]
    public void A_run_that_goes_on_once_solved_trains_on_at_the_lowered_rate_and_so_does_its_resumed_run()
    {
        const float Factor = 0.1f;
        TrainingSession settled = TrainingSession.Start(_dir.File("settled"), Probe(SolvedProbeTask.AlwaysRight, 32, stop: false) with { SolvedLearningRateFactor = Factor });
        Assert.Equal(1f, settled.Trainer.LearningRateScale);
        settled.Run();
        Assert.Equal(Factor, settled.Trainer.LearningRateScale);
        Assert.Equal(Factor, TrainingSession.Resume(_dir.File("settled")).Trainer.LearningRateScale);

        // The steps after the solved report used the lowered rate (the probe task has no gradient, so look at the rate).
        float rate = settled.Settings.Trainer.LearningRate;
        Assert.Equal(rate * Factor, settled.Trainer.Optimizer.LearningRate);

        // Factor 1, the default, keeps the rate.
        TrainingSession full = TrainingSession.Start(_dir.File("full"), Probe(SolvedProbeTask.AlwaysRight, 32, stop: false));
        full.Run();
        Assert.Equal(1f, full.Trainer.LearningRateScale);
        Assert.Equal(rate, full.Trainer.Optimizer.LearningRate);

        // A run that never was solved, or that stops once solved, keeps its rate.
        TrainingSession unsolved = TrainingSession.Start(_dir.File("unsolved"), Probe(0, 16, stop: false) with { SolvedLearningRateFactor = Factor });
        unsolved.Run();
        Assert.Equal(1f, unsolved.Trainer.LearningRateScale);
        TrainingSession stopped = TrainingSession.Start(_dir.File("stopped"), Probe(SolvedProbeTask.AlwaysRight, 16, stop: true) with { SolvedLearningRateFactor = Factor });
        stopped.Run();
        Assert.Equal(1f, stopped.Trainer.LearningRateScale);

        foreach (float bad in new[] { 0f, -0.5f, 1.5f, float.NaN })
            Assert.Throws<InvalidConfigurationException>(() => (Probe(0, 8, stop: false) with { SolvedLearningRateFactor = bad }).Validate());
    }

    [Fact]
    public void A_run_that_goes_on_once_solved_draws_its_share_of_minibatches_from_the_hardest_setting()
    {
        // The probe's training mix scores nothing, so its gradient is zero and the weights stay where they started;
        // its hardest setting, scored once the first two check sets are drawn, is the only thing that can move them.
        float[] Trained(string name, int rightFirst, double share)
        {
            TrainingSession session = TrainingSession.Start(_dir.File(name), Probe(rightFirst, 32, stop: false) with { SolvedHardestFraction = share });
            session.Run();
            return session.Model.Parameters;
        }
        float[] initial = TrainingSession.Start(_dir.File("initial"), Probe(0, 32, stop: false)).Model.Parameters.ToArray();

        Assert.Equal(initial, Trained("mix-only", 2 * Sets, 0));          // solved at 8, but trained on the mix alone
        Assert.NotEqual(initial, Trained("hardest", 2 * Sets, 1));        // solved at 8, then on the hardest setting
        Assert.Equal(initial, Trained("never-solved", 0, 1));             // never solved: the mix throughout

        foreach (double bad in new[] { -0.1, 1.5, double.NaN })
            Assert.Throws<InvalidConfigurationException>(() => (Probe(0, 8, stop: false) with { SolvedHardestFraction = bad }).Validate());
    }

    [Theory]
    [InlineData(SolvedProbeTask.AlwaysRight)]
    [InlineData(0)]
    public void A_resumed_run_writes_the_same_solved_checks_and_keeps_when_it_was_first_solved(int rightFirst)
    {
        string whole = _dir.File("whole"), split = _dir.File("split");
        RunSummary a = TrainingSession.Start(whole, Probe(rightFirst, 48, stop: false)).Run();
        TrainingSession.Start(split, Probe(rightFirst, 16, stop: false)).Run();
        RunSummary b = TrainingSession.Resume(split, maxSequences: 48).Run();

        IReadOnlyList<MetricsLine> x = RunFolder.Open(whole).ReadMetrics(), y = RunFolder.Open(split).ReadMetrics();
        Assert.Equal(x.Select(m => m with { Seconds = 0 }), y.Select(m => m with { Seconds = 0 }));
        Assert.Contains(x, m => m.SolvedCheckBitErrors is not null);
        Assert.Equal(a.FirstSolved?.Sequences, b.FirstSolved?.Sequences);
        Assert.Equal(a.EndCheck, b.EndCheck);
        Assert.Equal(a.Solved, b.Solved);
        Assert.Equal(rightFirst != 0, a.Solved);
    }

    [Fact]
    public void The_checkpoint_keeps_when_the_run_was_first_solved_and_an_old_checkpoint_still_loads()
    {
        string run = _dir.File("kept");
        RunSummary summary = TrainingSession.Start(run, Probe(SolvedProbeTask.AlwaysRight, 16, stop: false)).Run();
        RunFolder folder = RunFolder.Open(run);
        Assert.Equal(summary.FirstSolved, folder.ReadCheckpoint().FirstSolved);
        Assert.Equal(summary.FirstSolved, TrainingSession.Resume(run).FirstSolved);

        // A checkpoint written before the rule says "ntm.converged" instead: it loads, and does not count as solved.
        var content = SafeTensorsFile.Read(folder.CheckpointPath);
        var meta = content.Metadata.Where(kv => !kv.Key.StartsWith("ntm.first_solved", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        meta["ntm.converged"] = "true";
        SafeTensorsFile.Write(folder.CheckpointPath, content.Tensors, meta);
        Assert.Null(folder.ReadCheckpoint().FirstSolved);
        TrainingSession resumed = TrainingSession.Resume(run, maxSequences: 24);
        Assert.Null(resumed.FirstSolved);
        SolvedAt? again = resumed.Run().FirstSolved;
        Assert.Equal(new SolvedAt(24, resumed.Metrics[^1].Seconds), again);   // checked again at the next report
    }

    [Fact]
    public void The_rule_is_checked_at_the_hardest_training_setting_and_says_so()
    {
        Assert.Equal("under 0.1 bit errors per sequence at length 20 on 2 x 500 fresh sequences",
            SolvedRule.For(new CopyTask(), new RunSettings()).Description);
        Assert.Equal("at length 10, repeats 10", SolvedRule.For(new RepeatCopyTask(), new RunSettings()).Where);
        Assert.Equal("at items 6", SolvedRule.For(new AssociativeRecallTask(), new RunSettings()).Where);
        Assert.Equal("under 0.05 bit errors per sequence on 2 x 1,000 fresh sequences of the training distribution",
            new SolvedRule(new PlainTask(), 0.05, 1000, 10).Description);

        SolvedRule copy = SolvedRule.For(new CopyTask(), new RunSettings());
        Assert.Equal(41, copy.Point.Make(new Rng(1), 1).Steps);   // 20 vectors, the delimiter, 20 answers
        Assert.NotEqual(SolvedRule.CheckRng(1, 1000).NextUInt64(), TrainingSession.EvaluationRng(1, 1000).NextUInt64());
        Assert.Equal(SolvedRule.CheckRng(1, 1000).NextUInt64(), SolvedRule.CheckRng(1, 1000).NextUInt64());
        Assert.NotEqual(SolvedRule.CheckRng(1, 1000).NextUInt64(), SolvedRule.CheckRng(1, 2000).NextUInt64());

        Assert.Throws<InvalidConfigurationException>(() => new RunSettings { SolvedSequences = 0 }.Validate());
        Assert.Throws<InvalidConfigurationException>(() => new SolvedRule(new CopyTask(), double.NaN, 10, 10));
    }

    /// <summary>A task that is not a <see cref="SequenceTask"/>: checked on its training distribution.</summary>
    private sealed class PlainTask : ISequenceTask
    {
        public string Name => "plain";
        public int InputSize => 1;
        public int OutputSize => 1;
        public SequenceBatch Sample(Rng rng, int batchSize) => new(2, batchSize, 1, 1);
    }
}
