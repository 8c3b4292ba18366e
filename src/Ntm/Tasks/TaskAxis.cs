using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>One setting of a task's axis (or axes) and how to make batches there.</summary>
/// <param name="Axis">The axis values in a fixed order, e.g. <c>{"length": 50}</c> or <c>{"length": 10, "repeats": 20}</c>; empty for the training distribution.</param>
/// <param name="Make">Makes a batch of the given size there from the given random source.</param>
public sealed record AxisPoint(IReadOnlyDictionary<string, int> Axis, Func<Rng, int, SequenceBatch> Make);

/// <summary>
/// A task's primary generalisation axis: an integer setting such as the copy task's sequence length,
/// the range of it seen in training, and batches at any value of it, inside or beyond that range.
/// </summary>
public sealed class TaskAxis
{
    /// <summary>The name of a sequence-length axis (copy, repeat copy, dynamic n-grams): the axis <c>ntm eval --length</c> sets.</summary>
    public const string LengthName = "length";

    private readonly Func<Rng, int, int, SequenceBatch> _make;
    private readonly Func<int, SequenceTask> _at;

    /// <summary>Creates an axis.</summary>
    /// <param name="name">The key of the axis in <see cref="AxisPoint.Axis"/> and in generalisation tables, e.g. <c>length</c>.</param>
    /// <param name="description">What the value counts, e.g. <c>vectors per sequence</c>.</param>
    /// <param name="minimum">The smallest value a batch can have.</param>
    /// <param name="trainingMin">The smallest value seen in training.</param>
    /// <param name="trainingMax">The largest value seen in training.</param>
    /// <param name="make">Makes a batch of the given size at the given value (the other settings as in <paramref name="fixedSettings"/>).</param>
    /// <param name="at">The same task with its training distribution held at the given value.</param>
    /// <param name="fixedSettings">Other axis settings held fixed along this axis, shown beside it in every point (repeat copy: the repeat count); none if null.</param>
    /// <exception cref="ArgumentException">A name is empty or the range is not <c>minimum ≤ trainingMin ≤ trainingMax</c>.</exception>
    public TaskAxis(string name, string description, int minimum, int trainingMin, int trainingMax,
        Func<Rng, int, int, SequenceBatch> make, Func<int, SequenceTask> at, IReadOnlyDictionary<string, int>? fixedSettings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(make);
        ArgumentNullException.ThrowIfNull(at);
        if (minimum > trainingMin || trainingMin > trainingMax)
            throw new ArgumentException($"Axis '{name}' needs minimum <= training minimum <= training maximum, got {minimum}, {trainingMin}, {trainingMax}.");
        if (fixedSettings is not null && fixedSettings.ContainsKey(name))
            throw new ArgumentException($"Axis '{name}' cannot also be one of its fixed settings.", nameof(fixedSettings));
        Name = name;
        Description = description;
        Minimum = minimum;
        TrainingMin = trainingMin;
        TrainingMax = trainingMax;
        Fixed = fixedSettings ?? new Dictionary<string, int>();
        _make = make;
        _at = at;
    }

    /// <summary>The key of the axis in <see cref="AxisPoint.Axis"/>, e.g. <c>length</c>.</summary>
    public string Name { get; }
    /// <summary>What the value counts, e.g. <c>vectors per sequence</c>.</summary>
    public string Description { get; }
    /// <summary>The smallest value a batch can have.</summary>
    public int Minimum { get; }
    /// <summary>The smallest value seen in training.</summary>
    public int TrainingMin { get; }
    /// <summary>The largest value seen in training: the hardest training setting along this axis.</summary>
    public int TrainingMax { get; }
    /// <summary>Other axis settings held fixed along this axis (repeat copy: the repeat count), in the order shown.</summary>
    public IReadOnlyDictionary<string, int> Fixed { get; }

    /// <summary>A batch of <paramref name="batchSize"/> sequences at axis value <paramref name="value"/>, which may lie beyond the training range.</summary>
    /// <exception cref="InvalidConfigurationException">The value is below <see cref="Minimum"/> or too large for the task.</exception>
    public SequenceBatch Make(Rng rng, int batchSize, int value)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Check(value);
        return _make(rng, batchSize, value);
    }

    /// <summary>The same task with its training distribution held at axis value <paramref name="value"/> (e.g. copy: every sequence of that length).</summary>
    /// <exception cref="InvalidConfigurationException">The value is below <see cref="Minimum"/> or too large for the task.</exception>
    public SequenceTask At(int value)
    {
        Check(value);
        return _at(value);
    }

    /// <summary>The point at axis value <paramref name="value"/>: the axis, then its <see cref="Fixed"/> settings, and batches made by <see cref="Make"/>.</summary>
    /// <exception cref="InvalidConfigurationException">The value is below <see cref="Minimum"/>.</exception>
    public AxisPoint Point(int value)
    {
        Check(value);
        var axis = new OrderedDictionary<string, int> { [Name] = value };
        foreach (var (key, v) in Fixed) axis.Add(key, v);
        return new AxisPoint(axis, (rng, batchSize) => Make(rng, batchSize, value));
    }

    private void Check(int value)
    {
        if (value < Minimum)
            throw new InvalidConfigurationException($"The {Name} must be at least {Minimum}, got {value}.");
    }
}
