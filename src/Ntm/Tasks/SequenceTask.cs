using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// A task the <see cref="TaskCatalog"/> can create by name: an <see cref="ISequenceTask"/> that also
/// describes itself back as settings and knows the axis along which generalisation is measured.
/// Every task comes with a <see cref="TaskDefinition"/> (by convention a static <c>Definition</c>
/// property of its class) giving its name, a one-line description and its settings.
/// <para>
/// A new task is one class deriving from this one plus one line in <see cref="TaskCatalog"/>'s
/// built-in list, or, outside this library, a call to <see cref="TaskCatalog.Register"/>.
/// </para>
/// </summary>
public abstract class SequenceTask : ISequenceTask
{
    /// <summary>The task's name: its definition's <see cref="TaskDefinition.Name"/>.</summary>
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract int InputSize { get; }

    /// <inheritdoc />
    public abstract int OutputSize { get; }

    /// <inheritdoc />
    public abstract SequenceBatch Sample(Rng rng, int batchSize);

    /// <summary>
    /// The task's settings: every key of its definition's <see cref="TaskDefinition.Settings"/>, in that
    /// order, with its value in the invariant culture (<see cref="TaskSetting.Format(int)"/>), such that
    /// creating the task from them re-creates an equal task. A run's <c>config.json</c> stores them.
    /// </summary>
    public abstract IReadOnlyDictionary<string, string> Describe();

    /// <summary>
    /// The task's primary generalisation axis (copy: the sequence length), with its training range and
    /// batches at any value; null when the task has none (custom sequences).
    /// </summary>
    public virtual TaskAxis? Axis => null;

    /// <summary>
    /// Every axis along which the task can be searched (<c>ntm limits --axis</c>), the primary
    /// <see cref="Axis"/> first; repeat copy adds its repeat count.
    /// </summary>
    public virtual IReadOnlyList<TaskAxis> Axes => Axis is { } axis ? [axis] : [];

    /// <summary>
    /// The points <see cref="Training.Generalization.Run"/> evaluates. By default one point with no
    /// axis values: the training distribution itself.
    /// </summary>
    public virtual IReadOnlyList<AxisPoint> GeneralizationPoints => [TrainingDistribution];

    /// <summary>
    /// The hardest setting seen in training: the <see cref="Axis"/> at its <see cref="TaskAxis.TrainingMax"/>
    /// (copy: the maximum length), or the training distribution itself for a task with no axis.
    /// </summary>
    public virtual AxisPoint HardestTrainingPoint => Axis is { } axis ? axis.Point(axis.TrainingMax) : TrainingDistribution;

    /// <summary>The training distribution as a point with no axis values.</summary>
    protected AxisPoint TrainingDistribution => new(new Dictionary<string, int>(), Sample);
}
