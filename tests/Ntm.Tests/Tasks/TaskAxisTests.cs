using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Tasks;

/// <summary>
/// Every built-in task describes itself: its definition's defaults are the paper's settings, its axis
/// has the right name and training range, and its generalisation points are exactly those
/// <c>ntm generalize</c> has always evaluated (same keys, order and batches).
/// </summary>
public sealed class TaskAxisTests
{
    [Fact]
    public void Every_definition_creates_with_its_defaults_the_task_its_constructor_makes()
    {
        SequenceTask[] papers = [new CopyTask(), new RepeatCopyTask(), new AssociativeRecallTask(), new DynamicNGramsTask(), new PrioritySortTask()];
        foreach (SequenceTask paper in papers)
        {
            TaskDefinition d = TaskCatalog.Find(paper.Name);
            SequenceTask created = d.Create();
            Assert.Equal(paper.GetType(), created.GetType());
            Assert.Equal(paper.Describe(), created.Describe());
            Assert.Equal(d.SettingNames, paper.Describe().Keys);
            Assert.Equal(d.Settings.Select(s => s.Default), paper.Describe().Values);
            Assert.False(string.IsNullOrWhiteSpace(d.Description));
            Assert.DoesNotContain('\n', d.Description);
        }
        Assert.Null(Assert.Single(CustomSequenceTask.Definition.Settings).Default);
    }

    [Fact]
    public void Axes_name_their_setting_and_training_range()
    {
        TaskAxis copy = new CopyTask().Axis;
        Assert.Equal(("length", 1, 1, 20), (copy.Name, copy.Minimum, copy.TrainingMin, copy.TrainingMax));
        TaskAxis repeat = new RepeatCopyTask().Axis;
        Assert.Equal(("length", 1, 10), (repeat.Name, repeat.TrainingMin, repeat.TrainingMax));
        Assert.Equal(new Dictionary<string, int> { ["repeats"] = 10 }, repeat.Fixed);
        TaskAxis recall = new AssociativeRecallTask().Axis;
        Assert.Equal(("items", 2, 2, 6), (recall.Name, recall.Minimum, recall.TrainingMin, recall.TrainingMax));
        TaskAxis sort = new PrioritySortTask().Axis;
        Assert.Equal(("inputs", 16, 20, 20), (sort.Name, sort.Minimum, sort.TrainingMin, sort.TrainingMax));
        TaskAxis ngrams = new DynamicNGramsTask().Axis;
        Assert.Equal(("length", 6, 200, 200), (ngrams.Name, ngrams.Minimum, ngrams.TrainingMin, ngrams.TrainingMax));
    }

    [Fact]
    public void The_hardest_training_point_is_the_top_of_the_training_range()
    {
        Assert.Equal(["length=20"], Keys(new CopyTask().HardestTrainingPoint));
        Assert.Equal(["length=7"], Keys(new CopyTask(4, 2, 7).HardestTrainingPoint));
        Assert.Equal(["length=10", "repeats=10"], Keys(new RepeatCopyTask().HardestTrainingPoint));
        Assert.Equal(["items=6"], Keys(new AssociativeRecallTask().HardestTrainingPoint));
        Assert.Equal(["inputs=20", "outputs=16"], Keys(new PrioritySortTask().HardestTrainingPoint));
        Assert.Equal(["length=200"], Keys(new DynamicNGramsTask().HardestTrainingPoint));

        var copy = new CopyTask();
        BatchAssert.Identical(copy.Make(new Rng(3), 2, 20), copy.HardestTrainingPoint.Make(new Rng(3), 2));
        var repeat = new RepeatCopyTask();
        BatchAssert.Identical(repeat.Make(new Rng(3), 2, 10, 10), repeat.HardestTrainingPoint.Make(new Rng(3), 2));
    }

    private static string[] Keys(AxisPoint p) => [.. p.Axis.Select(kv => $"{kv.Key}={kv.Value}")];

    private static string[][] Keys(ISequenceTask task) => [.. Generalization.Points(task).Select(p => p.Axis.Select(kv => $"{kv.Key}={kv.Value}").ToArray())];

    [Fact]
    public void Generalization_points_are_the_ones_generalize_has_always_evaluated()
    {
        Assert.Equal([["length=10"], ["length=20"], ["length=30"], ["length=50"], ["length=120"]], Keys(new CopyTask()));
        Assert.Equal([["length=10", "repeats=10"], ["length=20", "repeats=10"], ["length=10", "repeats=20"]], Keys(new RepeatCopyTask()));
        Assert.Equal([["length=5", "repeats=4"], ["length=10", "repeats=4"], ["length=5", "repeats=8"]], Keys(new RepeatCopyTask(4, 2, 5, 3, 4)));
        Assert.Equal([["items=6"], ["items=8"], ["items=10"], ["items=12"], ["items=15"], ["items=20"]], Keys(new AssociativeRecallTask()));
        Assert.Equal([["inputs=20", "outputs=16"], ["inputs=30", "outputs=16"], ["inputs=40", "outputs=16"]], Keys(new PrioritySortTask()));
        Assert.Equal([[]], Keys(new DynamicNGramsTask()));
    }

    [Fact]
    public void Generalization_batches_are_the_tasks_own_batches_at_each_point()
    {
        var copy = new CopyTask();
        var points = Generalization.Points(copy);
        BatchAssert.Identical(copy.Make(new Rng(5), 3, 50), points[3].Make(new Rng(5), 3));
        var repeat = new RepeatCopyTask();
        BatchAssert.Identical(repeat.Make(new Rng(5), 2, 10, 20), Generalization.Points(repeat)[2].Make(new Rng(5), 2));
        BatchAssert.Identical(repeat.Make(new Rng(5), 2, 20, 10), Generalization.Points(repeat)[1].Make(new Rng(5), 2));
        var recall = new AssociativeRecallTask();
        BatchAssert.Identical(recall.Make(new Rng(5), 2, 15), Generalization.Points(recall)[4].Make(new Rng(5), 2));
        var sort = new PrioritySortTask();
        BatchAssert.Identical(sort.Make(new Rng(5), 2, 30, 16), Generalization.Points(sort)[1].Make(new Rng(5), 2));
        var ngrams = new DynamicNGramsTask(40, 3);
        BatchAssert.Identical(ngrams.Sample(new Rng(5), 2), Generalization.Points(ngrams)[0].Make(new Rng(5), 2));
    }

    [Fact]
    public void Axis_batches_go_beyond_the_training_range_and_At_holds_the_training_distribution_there()
    {
        var copy = new CopyTask(4, 1, 5);
        Assert.Equal(2 * 300 + 1, copy.Axis.Make(new Rng(1), 1, 300).Steps);
        var at = Assert.IsType<CopyTask>(copy.Axis.At(9));
        Assert.Equal((4, 9, 9), (at.Bits, at.MinLength, at.MaxLength));

        var repeat = new RepeatCopyTask(4, 1, 5, 2, 3);
        var held = Assert.IsType<RepeatCopyTask>(repeat.Axis.At(7));
        Assert.Equal((7, 7, 2, 3), (held.MinLength, held.MaxLength, held.MinRepeats, held.MaxRepeats));
        Assert.Equal(RepeatCopyTask.StepCount(7, 3), repeat.Axis.Make(new Rng(1), 1, 7).Steps);

        var ngrams = new DynamicNGramsTask(50, 3);
        Assert.Equal(99, ngrams.Axis.Make(new Rng(1), 2, 100).Steps);
        Assert.Equal(new DynamicNGramsTask(100, 3).Describe(), ngrams.Axis.At(100).Describe());

        var e = Assert.Throws<InvalidConfigurationException>(() => copy.Axis.Make(new Rng(1), 1, 0));
        Assert.Equal("The length must be at least 1, got 0.", e.Message);
        Assert.Throws<InvalidConfigurationException>(() => new AssociativeRecallTask().Axis.At(1));
    }

    [Fact]
    public void A_task_without_an_axis_is_evaluated_on_its_training_distribution()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"input": [[0, 1]], "target": [[1]]}""");
            CustomSequenceTask task = CustomSequenceTask.Load(path);
            Assert.Null(task.Axis);
            Assert.Empty(task.HardestTrainingPoint.Axis);
            Assert.Empty(Assert.Single(task.GeneralizationPoints).Axis);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
