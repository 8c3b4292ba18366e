using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Cli.Commands;

/// <summary>A finished run's folder: its settings, task and trained machine.</summary>
internal sealed record RunFolder(string Directory, RunSettings Settings, ISequenceTask Task, NeuralTuringMachine Model)
{
    public static RunFolder Open(string dir, bool best = false)
    {
        string modelPath = Cli.ModelPath(dir, best);
        RunSettings settings = TrainingSession.ReadSettings(dir);
        NeuralTuringMachine model = ModelFile.Load(modelPath);
        ISequenceTask task = TrainingSession.CreateTask(settings);
        if (model.Config.InputSize != task.InputSize || model.Config.OutputSize != task.OutputSize)
            throw new InvalidFileException(modelPath, $"the machine's widths ({model.Config.InputSize} in, {model.Config.OutputSize} out) do not match task '{task.Name}'.");
        return new RunFolder(dir, settings, task, model);
    }

    /// <summary>The run's task with every sequence of length <paramref name="length"/> (tasks whose axis is a sequence length).</summary>
    public ISequenceTask TaskWithLength(int length)
        => (Task as SequenceTask)?.Axis is { Name: TaskAxis.LengthName } axis
            ? axis.At(length)
            : throw new InvalidConfigurationException($"Task '{Settings.Task}' has no sequence length to set; use 'ntm generalize' for its own axis.");
}
