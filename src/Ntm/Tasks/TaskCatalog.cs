using System.Globalization;

namespace Ntm.Tasks;

/// <summary>
/// Creates tasks by name and settings (as given on the command line or saved in a run's
/// config.json) and describes a task back as settings, so that
/// <c>Create(task.Name, Describe(task))</c> re-creates an equal task.
/// <para>
/// Names and their settings (all optional, defaults are the paper's; names and keys are
/// case-insensitive; integers and numbers use the invariant culture):
/// </para>
/// <list type="bullet">
/// <item><c>copy</c>: <c>bits</c>, <c>min-length</c>, <c>max-length</c> (<see cref="CopyTask"/>)</item>
/// <item><c>repeat-copy</c>: <c>bits</c>, <c>min-length</c>, <c>max-length</c>, <c>min-repeats</c>,
/// <c>max-repeats</c> (<see cref="RepeatCopyTask"/>)</item>
/// <item><c>associative-recall</c>: <c>bits</c>, <c>item-length</c>, <c>min-items</c>,
/// <c>max-items</c> (<see cref="AssociativeRecallTask"/>)</item>
/// <item><c>dynamic-ngrams</c>: <c>length</c>, <c>context</c>, <c>beta</c> (<see cref="DynamicNGramsTask"/>)</item>
/// <item><c>priority-sort</c>: <c>bits</c>, <c>inputs</c>, <c>outputs</c> (<see cref="PrioritySortTask"/>)</item>
/// <item><c>custom</c>: <c>path</c>, required, the JSON-lines file read by
/// <see cref="CustomSequenceTask.Load"/></item>
/// </list>
/// </summary>
public static class TaskCatalog
{
    private sealed record Definition(string Name, string[] Keys, Func<Reader, ISequenceTask> Create);

    private static readonly Definition[] Definitions =
    [
        new("copy", ["bits", "min-length", "max-length"], r =>
        {
            var d = new CopyTask();
            return new CopyTask(r.Int("bits", d.Bits), r.Int("min-length", d.MinLength), r.Int("max-length", d.MaxLength));
        }),
        new("repeat-copy", ["bits", "min-length", "max-length", "min-repeats", "max-repeats"], r =>
        {
            var d = new RepeatCopyTask();
            return new RepeatCopyTask(r.Int("bits", d.Bits), r.Int("min-length", d.MinLength), r.Int("max-length", d.MaxLength),
                r.Int("min-repeats", d.MinRepeats), r.Int("max-repeats", d.MaxRepeats));
        }),
        new("associative-recall", ["bits", "item-length", "min-items", "max-items"], r =>
        {
            var d = new AssociativeRecallTask();
            return new AssociativeRecallTask(r.Int("bits", d.Bits), r.Int("item-length", d.ItemLength),
                r.Int("min-items", d.MinItems), r.Int("max-items", d.MaxItems));
        }),
        new("dynamic-ngrams", ["length", "context", "beta"], r =>
        {
            var d = new DynamicNGramsTask();
            return new DynamicNGramsTask(r.Int("length", d.Length), r.Int("context", d.Context), r.Number("beta", d.Beta));
        }),
        new("priority-sort", ["bits", "inputs", "outputs"], r =>
        {
            var d = new PrioritySortTask();
            return new PrioritySortTask(r.Int("bits", d.Bits), r.Int("inputs", d.Inputs), r.Int("outputs", d.Outputs));
        }),
        new("custom", ["path"], r => CustomSequenceTask.Load(r.Text("path"))),
    ];

    /// <summary>The task names <see cref="Create"/> accepts, in the paper's order, then <c>custom</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(Definitions.Select(d => d.Name).ToArray());

    /// <summary>The setting keys task <paramref name="name"/> accepts.</summary>
    /// <exception cref="InvalidConfigurationException">The name is not one of <see cref="Names"/>.</exception>
    public static IReadOnlyList<string> SettingNames(string name) => Array.AsReadOnly(Find(name).Keys);

    /// <summary>Creates task <paramref name="name"/>; settings not given keep the paper's defaults.</summary>
    /// <exception cref="InvalidConfigurationException">The name or a setting key is unknown, a value does
    /// not parse, or the settings are out of range; the message lists what is valid.</exception>
    /// <exception cref="InvalidFileException">For <c>custom</c>: the file cannot be read or is malformed.</exception>
    public static ISequenceTask Create(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        Definition definition = Find(name);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            if (!definition.Keys.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new InvalidConfigurationException(
                    $"{definition.Name}: unknown setting '{key}'; valid settings are {string.Join(", ", definition.Keys)}.");
            if (!values.TryAdd(key, value))
                throw new InvalidConfigurationException($"{definition.Name}: setting '{key}' is given twice.");
        }
        return definition.Create(new Reader(definition.Name, values));
    }

    /// <summary>
    /// The settings of <paramref name="task"/>, every key of its name with its value, in a fixed
    /// order, such that <c>Create(task.Name, Describe(task))</c> re-creates it.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The task is not one the catalog knows.</exception>
    public static IReadOnlyDictionary<string, string> Describe(ISequenceTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var s = new OrderedDictionary<string, string>();
        void Add(string key, int value) => s.Add(key, value.ToString(CultureInfo.InvariantCulture));
        switch (task)
        {
            case CopyTask t:
                Add("bits", t.Bits); Add("min-length", t.MinLength); Add("max-length", t.MaxLength);
                break;
            case RepeatCopyTask t:
                Add("bits", t.Bits); Add("min-length", t.MinLength); Add("max-length", t.MaxLength);
                Add("min-repeats", t.MinRepeats); Add("max-repeats", t.MaxRepeats);
                break;
            case AssociativeRecallTask t:
                Add("bits", t.Bits); Add("item-length", t.ItemLength); Add("min-items", t.MinItems); Add("max-items", t.MaxItems);
                break;
            case DynamicNGramsTask t:
                Add("length", t.Length); Add("context", t.Context);
                s.Add("beta", t.Beta.ToString("R", CultureInfo.InvariantCulture));
                break;
            case PrioritySortTask t:
                Add("bits", t.Bits); Add("inputs", t.Inputs); Add("outputs", t.Outputs);
                break;
            case CustomSequenceTask t:
                s.Add("path", t.Path);
                break;
            default:
                throw new InvalidConfigurationException(
                    $"A task of type {task.GetType().Name} ('{task.Name}') cannot be described; known tasks are {string.Join(", ", Names)}.");
        }
        return s;
    }

    private static Definition Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (Definition d in Definitions)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
                return d;
        throw new InvalidConfigurationException($"Unknown task '{name}'; valid tasks are {string.Join(", ", Names)}.");
    }

    /// <summary>Reads typed values from the checked settings, falling back to the defaults.</summary>
    private sealed class Reader(string task, Dictionary<string, string> values)
    {
        public int Int(string key, int fallback)
        {
            if (!values.TryGetValue(key, out string? text)) return fallback;
            if (int.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                return value;
            throw new InvalidConfigurationException($"{task}: setting '{key}' must be an integer, got '{text}'.");
        }

        public double Number(string key, double fallback)
        {
            if (!values.TryGetValue(key, out string? text)) return fallback;
            if (double.TryParse(text?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
                return value;
            throw new InvalidConfigurationException($"{task}: setting '{key}' must be a finite number, got '{text}'.");
        }

        public string Text(string key)
        {
            if (values.TryGetValue(key, out string? text) && !string.IsNullOrWhiteSpace(text))
                return text;
            throw new InvalidConfigurationException($"{task}: setting '{key}' is required.");
        }
    }
}
