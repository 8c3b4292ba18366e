using System.Globalization;

namespace Ntm.Tasks;

/// <summary>
/// What the <see cref="TaskCatalog"/> knows about a task before creating it: its name, a one-line
/// description, its settings with their defaults, and how to create it from settings given as
/// <c>key=value</c> strings (from the command line or a run's <c>config.json</c>). Names and keys are
/// case-insensitive; values use the invariant culture.
/// </summary>
public sealed class TaskDefinition
{
    private readonly Func<TaskSettingValues, SequenceTask> _create;

    /// <summary>Creates a definition.</summary>
    /// <param name="name">The task's name on the command line and in <c>config.json</c>: lower case, no spaces, e.g. <c>copy</c>.</param>
    /// <param name="description">One line saying what the task asks of the machine.</param>
    /// <param name="settings">The settings, in the order <see cref="SequenceTask.Describe"/> lists them.</param>
    /// <param name="create">Creates the task from the checked settings (read with <see cref="TaskSettingValues"/>).</param>
    /// <exception cref="ArgumentException">The name is not lower case without spaces, the description is empty, or two settings share a key.</exception>
    public TaskDefinition(string name, string description, IReadOnlyList<TaskSetting> settings, Func<TaskSettingValues, SequenceTask> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(create);
        if (name != name.ToLowerInvariant() || name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"A task name must be lower case without spaces, got '{name}'.", nameof(name));
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TaskSetting s in settings)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(settings));
            if (!keys.Add(s.Key)) throw new ArgumentException($"Task '{name}' declares setting '{s.Key}' twice.", nameof(settings));
        }
        Name = name;
        Description = description;
        Settings = Array.AsReadOnly(settings.ToArray());
        SettingNames = Array.AsReadOnly(settings.Select(s => s.Key).ToArray());
        _create = create;
    }

    /// <summary>The task's name, e.g. <c>copy</c>.</summary>
    public string Name { get; }
    /// <summary>One line saying what the task asks of the machine.</summary>
    public string Description { get; }
    /// <summary>The settings, in the order <see cref="SequenceTask.Describe"/> lists them.</summary>
    public IReadOnlyList<TaskSetting> Settings { get; }
    /// <summary>The settings' keys, in order.</summary>
    public IReadOnlyList<string> SettingNames { get; }

    /// <summary>Creates the task; settings not given keep their defaults.</summary>
    /// <exception cref="InvalidConfigurationException">A key is unknown or given twice, a value does not parse, a required
    /// setting is missing, or the settings are out of range; the message says which and what is valid.</exception>
    /// <exception cref="InvalidFileException">The task reads a file (custom) that cannot be read or is malformed.</exception>
    public SequenceTask Create(IReadOnlyDictionary<string, string>? settings = null)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            if (!SettingNames.Contains(key, StringComparer.OrdinalIgnoreCase))
                throw new InvalidConfigurationException($"{Name}: unknown setting '{key}'; valid settings are {string.Join(", ", SettingNames)}.");
            if (!values.TryAdd(key, value))
                throw new InvalidConfigurationException($"{Name}: setting '{key}' is given twice.");
        }
        SequenceTask task = _create(new TaskSettingValues(this, values));
        if (task.Name != Name)
            throw new InvalidOperationException($"The definition of task '{Name}' created a task named '{task.Name}'.");
        if (!task.Describe().Keys.SequenceEqual(SettingNames))
            throw new InvalidOperationException($"Task '{Name}' describes itself with keys other than its settings {string.Join(", ", SettingNames)}.");
        return task;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>One setting of a task: its key, what it means and its default.</summary>
/// <param name="Key">The key, e.g. <c>max-length</c>.</param>
/// <param name="Description">What the value means, e.g. <c>longest training sequence</c>.</param>
/// <param name="Default">The default value as text in the invariant culture (the paper's value for the paper's tasks), or null if the setting is required.</param>
public sealed record TaskSetting(string Key, string Description, string? Default)
{
    /// <summary>An integer setting with a default.</summary>
    public static TaskSetting Integer(string key, int defaultValue, string description) => new(key, description, Format(defaultValue));

    /// <summary>A finite real setting with a default.</summary>
    public static TaskSetting Number(string key, double defaultValue, string description) => new(key, description, Format(defaultValue));

    /// <summary>A setting with no default: creating the task without it is an error.</summary>
    public static TaskSetting Required(string key, string description) => new(key, description, null);

    /// <summary>An integer as a setting value (invariant culture).</summary>
    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A real as a setting value that parses back to the same double (invariant culture, round-trip format).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// The settings given to <see cref="TaskDefinition.Create"/>, already checked for unknown and repeated
/// keys, read as typed values; a setting not given reads as its default.
/// </summary>
public sealed class TaskSettingValues
{
    private readonly TaskDefinition _definition;
    private readonly IReadOnlyDictionary<string, string> _given;

    internal TaskSettingValues(TaskDefinition definition, IReadOnlyDictionary<string, string> given)
    {
        _definition = definition;
        _given = given;
    }

    /// <summary>The setting as an integer.</summary>
    /// <exception cref="InvalidConfigurationException">The value is not an integer, or a required setting is missing.</exception>
    public int Integer(string key)
    {
        string text = Raw(key);
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            return value;
        throw new InvalidConfigurationException($"{_definition.Name}: setting '{key}' must be an integer, got '{text}'.");
    }

    /// <summary>The setting as a finite real.</summary>
    /// <exception cref="InvalidConfigurationException">The value is not a finite number, or a required setting is missing.</exception>
    public double Number(string key)
    {
        string text = Raw(key);
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            return value;
        throw new InvalidConfigurationException($"{_definition.Name}: setting '{key}' must be a finite number, got '{text}'.");
    }

    /// <summary>The setting as text.</summary>
    /// <exception cref="InvalidConfigurationException">The setting is required and missing or blank.</exception>
    public string Text(string key)
    {
        string text = Raw(key);
        if (string.IsNullOrWhiteSpace(text)) throw Required(key);
        return text;
    }

    private string Raw(string key)
    {
        TaskSetting setting = _definition.Settings.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Task '{_definition.Name}' reads setting '{key}', which it does not declare.");
        return _given.TryGetValue(setting.Key, out string? text) ? text ?? "" : setting.Default ?? throw Required(setting.Key);
    }

    private InvalidConfigurationException Required(string key) => new($"{_definition.Name}: setting '{key}' is required.");
}
