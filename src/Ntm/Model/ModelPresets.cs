using Ntm.Training;

namespace Ntm.Model;

/// <summary>The three models of the paper's experiments (its Tables 1-3 and section 4); spelled <c>ntm-lstm</c>, <c>ntm-ff</c>, <c>lstm</c> (<see cref="Io.EnumSpelling"/>).</summary>
public enum ModelKind
{
    /// <summary>NTM with an LSTM controller.</summary>
    NtmLstm,
    /// <summary>NTM with a feed-forward controller.</summary>
    NtmFeedForward,
    /// <summary>A plain 3-layer LSTM with a sigmoid output layer (no memory).</summary>
    Lstm,
}

/// <summary>One row of the paper's parameter tables.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Model">Which model.</param>
/// <param name="Config">Our configuration for it (input and output widths filled in by the caller).</param>
/// <param name="PaperParameters">The count the paper reports.</param>
/// <param name="PaperLearningRate">The RMSProp learning rate the paper used for this task and model.</param>
public sealed record ModelPreset(string Task, ModelKind Model, NtmConfig Config, int PaperParameters, float PaperLearningRate);

/// <summary>
/// The paper's model sizes per task. Memory is 128 x 20 everywhere; "heads" in the paper counts
/// read/write head pairs, so n heads means n read heads and n write heads.
/// </summary>
public static class ModelPresets
{
    /// <summary>
    /// Adam's default learning rate, 5e-4: the rate at which Adam with minibatches of 8 learns the copy
    /// task (docs/performance.md); the paper's own update rule is RMSProp (<see cref="DefaultLearningRate"/>).
    /// </summary>
    public const float AdamLearningRate = 5e-4f;

    private static NtmConfig Ntm(ControllerKind c, int heads, int size, int layers = 1)
        => new() { Controller = c, ReadHeads = heads, WriteHeads = heads, ControllerSize = size, ControllerLayers = layers };

    private static NtmConfig Plain(int size) => new() { ReadHeads = 0, WriteHeads = 0, ControllerSize = size, ControllerLayers = 3 };

    /// <summary>Every preset, in the order of the paper's tables.</summary>
    public static IReadOnlyList<ModelPreset> All { get; } =
    [
        new("copy", ModelKind.NtmFeedForward, Ntm(ControllerKind.FeedForward, 1, 100), 17_162, 1e-4f),
        new("copy", ModelKind.NtmLstm, Ntm(ControllerKind.Lstm, 1, 100), 67_561, 1e-4f),
        new("copy", ModelKind.Lstm, Plain(256), 1_352_969, 3e-5f),
        new("repeat-copy", ModelKind.NtmFeedForward, Ntm(ControllerKind.FeedForward, 1, 100), 16_712, 1e-4f),
        new("repeat-copy", ModelKind.NtmLstm, Ntm(ControllerKind.Lstm, 1, 100), 66_111, 1e-4f),
        new("repeat-copy", ModelKind.Lstm, Plain(512), 5_312_007, 3e-5f),
        new("associative-recall", ModelKind.NtmFeedForward, Ntm(ControllerKind.FeedForward, 4, 256), 146_845, 1e-4f),
        new("associative-recall", ModelKind.NtmLstm, Ntm(ControllerKind.Lstm, 1, 100), 70_330, 1e-4f),
        new("associative-recall", ModelKind.Lstm, Plain(256), 1_344_518, 1e-4f),
        new("dynamic-ngrams", ModelKind.NtmFeedForward, Ntm(ControllerKind.FeedForward, 1, 100), 14_656, 3e-5f),
        new("dynamic-ngrams", ModelKind.NtmLstm, Ntm(ControllerKind.Lstm, 1, 100), 61_749, 3e-5f),
        new("dynamic-ngrams", ModelKind.Lstm, Plain(128), 331_905, 1e-4f),
        new("priority-sort", ModelKind.NtmFeedForward, Ntm(ControllerKind.FeedForward, 8, 512), 508_305, 3e-5f),
        new("priority-sort", ModelKind.NtmLstm, Ntm(ControllerKind.Lstm, 5, 100, layers: 2), 269_038, 3e-5f),
        new("priority-sort", ModelKind.Lstm, Plain(128), 384_424, 3e-5f),
    ];

    /// <summary>The preset for a task and model; tasks the paper did not run (e.g. custom) get the copy task's.</summary>
    public static ModelPreset Find(string task, ModelKind model)
        => All.FirstOrDefault(x => x.Task == task && x.Model == model) ?? All.First(x => x.Task == "copy" && x.Model == model);

    /// <summary>The configuration for a task and model; tasks the paper did not run (e.g. custom) get the copy task's sizes.</summary>
    public static NtmConfig For(string task, ModelKind model) => Find(task, model).Config;

    /// <summary>
    /// The learning rate a run uses unless told otherwise (the command line's default too): with RMSProp the
    /// paper's rate for the task and model (<see cref="ModelPreset.PaperLearningRate"/>, the copy task's for a
    /// task the paper did not run), with Adam <see cref="AdamLearningRate"/>.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The optimiser is not one of <see cref="OptimizerKind"/>'s values.</exception>
    public static float DefaultLearningRate(string task, ModelKind model, OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.RmsProp => Find(task, model).PaperLearningRate,
        OptimizerKind.Adam => AdamLearningRate,
        _ => throw new InvalidConfigurationException($"Unknown optimizer {(int)optimizer}; choose {Io.EnumSpelling.Choices<OptimizerKind>()}."),
    };
}
