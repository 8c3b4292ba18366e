namespace Ntm.Tasks;

/// <summary>
/// Creates tasks by name and settings (as given on the command line or saved in a run's
/// config.json) and describes a task back as settings, so that
/// <c>Create(task.Name, Describe(task))</c> re-creates an equal task. Each task's
/// <see cref="TaskDefinition"/> lists its settings and their defaults (the paper's); names and keys
/// are case-insensitive, values use the invariant culture.
/// <para>
/// The built-in tasks are the paper's five, then <c>custom</c>. A task defined outside this library
/// joins them with <see cref="Register"/>, after which training sessions, run folders and
/// generalisation find it by name like any other.
/// </para>
/// </summary>
public static class TaskCatalog
{
    private static readonly Lock Gate = new();
    private static TaskDefinition[] _registered = [];

    /// <summary>The built-in tasks: the paper's, in its order, then <c>custom</c>. Adding a task to the library is one line here.</summary>
    public static IReadOnlyList<TaskDefinition> BuiltIn { get; } = Array.AsReadOnly<TaskDefinition>(
    [
        CopyTask.Definition,
        RepeatCopyTask.Definition,
        AssociativeRecallTask.Definition,
        DynamicNGramsTask.Definition,
        PrioritySortTask.Definition,
        CustomSequenceTask.Definition,
    ]);

    /// <summary>The names of the <see cref="BuiltIn"/> tasks, in the paper's order, then <c>custom</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(BuiltIn.Select(d => d.Name).ToArray());

    /// <summary>The tasks added with <see cref="Register"/>, in the order they were added.</summary>
    public static IReadOnlyList<TaskDefinition> Registered => Array.AsReadOnly(Volatile.Read(ref _registered));

    /// <summary>Every task <see cref="Create"/> accepts: the <see cref="BuiltIn"/> ones, then the <see cref="Registered"/> ones.</summary>
    public static IReadOnlyList<TaskDefinition> All => [.. BuiltIn, .. Volatile.Read(ref _registered)];

    /// <summary>
    /// Adds a task defined outside this library, so that it can be created by name (and so trained,
    /// resumed and evaluated from its run folder). Safe to call from several threads; registering the
    /// same definition again does nothing.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">Another definition already has this name (names are case-insensitive).</exception>
    public static void Register(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (Gate)
        {
            TaskDefinition? existing = TryFind(definition.Name);
            if (ReferenceEquals(existing, definition)) return;
            if (existing is not null)
                throw new InvalidConfigurationException($"A different task named '{existing.Name}' is already in the catalog; give the new task another name.");
            Volatile.Write(ref _registered, [.. _registered, definition]);
        }
    }

    /// <summary>The definition of task <paramref name="name"/>.</summary>
    /// <exception cref="InvalidConfigurationException">No task has this name; the message lists the valid names.</exception>
    public static TaskDefinition Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryFind(name)
            ?? throw new InvalidConfigurationException($"Unknown task '{name}'; valid tasks are {string.Join(", ", All.Select(d => d.Name))}.");
    }

    /// <summary>The setting keys task <paramref name="name"/> accepts.</summary>
    /// <exception cref="InvalidConfigurationException">No task has this name.</exception>
    public static IReadOnlyList<string> SettingNames(string name) => Find(name).SettingNames;

    /// <summary>Creates task <paramref name="name"/>; settings not given keep their defaults (the paper's).</summary>
    /// <exception cref="InvalidConfigurationException">The name or a setting key is unknown, a value does
    /// not parse, or the settings are out of range; the message lists what is valid.</exception>
    /// <exception cref="InvalidFileException">For <c>custom</c>: the file cannot be read or is malformed.</exception>
    public static SequenceTask Create(string name, IReadOnlyDictionary<string, string>? settings = null) => Find(name).Create(settings);

    /// <summary>
    /// The settings of <paramref name="task"/>, every key of its name with its value, in a fixed
    /// order, such that <c>Create(task.Name, Describe(task))</c> re-creates it.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The task is not a <see cref="SequenceTask"/> and so cannot describe itself.</exception>
    public static IReadOnlyDictionary<string, string> Describe(ISequenceTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task is SequenceTask t
            ? t.Describe()
            : throw new InvalidConfigurationException(
                $"A task of type {task.GetType().Name} ('{task.Name}') cannot be described; derive it from SequenceTask (known tasks are {string.Join(", ", All.Select(d => d.Name))}).");
    }

    private static TaskDefinition? TryFind(string name)
    {
        foreach (TaskDefinition d in BuiltIn)
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        foreach (TaskDefinition d in Volatile.Read(ref _registered))
            if (string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) return d;
        return null;
    }
}
