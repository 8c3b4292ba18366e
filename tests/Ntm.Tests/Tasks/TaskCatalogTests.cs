using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

[Collection(TaskCatalogCollection.Name)]   // with ExternalTaskTests, which registers a task: the full list of names is stable here
public class TaskCatalogTests
{
    private static Dictionary<string, string> Settings(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void Names_are_the_papers_tasks_then_custom()
    {
        Assert.Equal(["copy", "repeat-copy", "associative-recall", "dynamic-ngrams", "priority-sort", "custom"], TaskCatalog.Names);
        Assert.Equal(["bits", "inputs", "outputs"], TaskCatalog.SettingNames("priority-sort"));
    }

    [Fact]
    public void Create_without_settings_gives_the_papers_defaults()
    {
        var c = Assert.IsType<CopyTask>(TaskCatalog.Create("copy"));
        Assert.Equal((8, 1, 20), (c.Bits, c.MinLength, c.MaxLength));
        var r = Assert.IsType<RepeatCopyTask>(TaskCatalog.Create("repeat-copy"));
        Assert.Equal((8, 1, 10, 1, 10), (r.Bits, r.MinLength, r.MaxLength, r.MinRepeats, r.MaxRepeats));
        var a = Assert.IsType<AssociativeRecallTask>(TaskCatalog.Create("associative-recall"));
        Assert.Equal((6, 3, 2, 6), (a.Bits, a.ItemLength, a.MinItems, a.MaxItems));
        var n = Assert.IsType<DynamicNGramsTask>(TaskCatalog.Create("dynamic-ngrams"));
        Assert.Equal((200, 5, 0.5), (n.Length, n.Context, n.Beta));
        var p = Assert.IsType<PrioritySortTask>(TaskCatalog.Create("priority-sort"));
        Assert.Equal((8, 20, 16), (p.Bits, p.Inputs, p.Outputs));
    }

    [Fact]
    public void Create_applies_settings_case_insensitively()
    {
        var task = Assert.IsType<RepeatCopyTask>(TaskCatalog.Create("Repeat-Copy", Settings(("MAX-repeats", "20"), ("bits", " 4 "))));
        Assert.Equal((4, 1, 10, 1, 20), (task.Bits, task.MinLength, task.MaxLength, task.MinRepeats, task.MaxRepeats));
    }

    public static TheoryData<ISequenceTask> Tasks() =>
    [
        new CopyTask(5, 2, 7),
        new RepeatCopyTask(4, 2, 5, 3, 6),
        new AssociativeRecallTask(5, 2, 3, 8),
        new DynamicNGramsTask(50, 3, 0.3),
        new PrioritySortTask(6, 12, 9),
    ];

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Describe_then_Create_recreates_the_task(ISequenceTask task)
    {
        IReadOnlyDictionary<string, string> settings = TaskCatalog.Describe(task);
        Assert.Equal(TaskCatalog.SettingNames(task.Name), settings.Keys);
        ISequenceTask again = TaskCatalog.Create(task.Name, settings);
        Assert.IsType(task.GetType(), again);
        Assert.Equal(settings, TaskCatalog.Describe(again));
        BatchAssert.Identical(task.Sample(new Rng(99), 3), again.Sample(new Rng(99), 3));
    }

    [Fact]
    public void Describe_then_Create_recreates_a_custom_task()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"input": [[0, 1]], "target": [[1]]}""");
            CustomSequenceTask task = CustomSequenceTask.Load(path);
            IReadOnlyDictionary<string, string> settings = TaskCatalog.Describe(task);
            Assert.Equal(new Dictionary<string, string> { ["path"] = Path.GetFullPath(path) }, settings);
            var again = Assert.IsType<CustomSequenceTask>(TaskCatalog.Create("custom", settings));
            Assert.Equal((1, 2, 1), (again.Count, again.InputSize, again.OutputSize));
        }
        finally
        {
            File.Delete(path);
        }
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("custom"));
        Assert.Contains("'path' is required", e.Message);
    }

    [Fact]
    public void Describe_uses_the_invariant_culture_and_round_trips_numbers_exactly()
    {
        var task = new DynamicNGramsTask(beta: 0.1 + 0.2);
        Assert.Equal("0.30000000000000004", TaskCatalog.Describe(task)["beta"]);
        var again = Assert.IsType<DynamicNGramsTask>(TaskCatalog.Create("dynamic-ngrams", TaskCatalog.Describe(task)));
        Assert.Equal(task.Beta, again.Beta);
    }

    [Fact]
    public void An_unknown_name_lists_the_valid_names()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("sort"));
        string registered = string.Concat(TaskCatalog.Registered.Select(d => ", " + d.Name));   // tasks registered by other tests come last
        Assert.Equal($"Unknown task 'sort'; valid tasks are copy, repeat-copy, associative-recall, dynamic-ngrams, priority-sort, custom{registered}.", e.Message);
    }

    [Fact]
    public void An_unknown_setting_lists_the_valid_settings()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("copy", Settings(("length", "5"))));
        Assert.Equal("copy: unknown setting 'length'; valid settings are bits, min-length, max-length.", e.Message);
    }

    [Theory]
    [InlineData("copy", "bits", "eight", "copy: setting 'bits' must be an integer, got 'eight'.")]
    [InlineData("priority-sort", "inputs", "2.5", "priority-sort: setting 'inputs' must be an integer, got '2.5'.")]
    [InlineData("associative-recall", "max-items", "", "associative-recall: setting 'max-items' must be an integer, got ''.")]
    [InlineData("dynamic-ngrams", "beta", "1,5", "dynamic-ngrams: setting 'beta' must be a finite number, got '1,5'.")]
    [InlineData("dynamic-ngrams", "beta", "Infinity", "dynamic-ngrams: setting 'beta' must be a finite number, got 'Infinity'.")]
    public void An_unparsable_value_names_the_setting(string name, string key, string value, string message)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create(name, Settings((key, value))));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Out_of_range_settings_and_repeated_keys_are_rejected()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("priority-sort", Settings(("outputs", "21"))));
        Assert.StartsWith("priority-sort: the output count 21 exceeds the input count 20", e.Message);
        e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Create("copy", Settings(("bits", "4"), ("BITS", "5"))));
        Assert.Contains("given twice", e.Message);
    }

    private sealed class OtherTask : ISequenceTask
    {
        public string Name => "other";
        public int InputSize => 1;
        public int OutputSize => 1;
        public SequenceBatch Sample(Rng rng, int batchSize) => new(1, batchSize, 1, 1);
    }

    [Fact]
    public void Describe_rejects_a_task_it_does_not_know()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => TaskCatalog.Describe(new OtherTask()));
        Assert.Contains("cannot be described", e.Message);
    }
}
