using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

/// <summary>
/// Training at batch 1 with the time steps shared by two threads gives the very parameters that one thread
/// gives, bit for bit, for the paper's models: an LSTM and a feed-forward controller, four read and four
/// write heads, two controller layers.
/// </summary>
public sealed class IntraStepTrainingTests
{
    public static TheoryData<string, ModelKind, int> Runs() => new()
    {
        { "copy", ModelKind.NtmLstm, 300 },
        { "copy", ModelKind.NtmFeedForward, 300 },
        { "associative-recall", ModelKind.NtmFeedForward, 100 },   // 4 read and 4 write heads, 256 units
        { "priority-sort", ModelKind.NtmLstm, 60 },                // 2 LSTM layers, 5 read and 5 write heads
    };

    private static (float[] Parameters, double Cost) Train(string taskName, ModelKind kind, int sequences, int stepThreads)
    {
        ISequenceTask task = TaskCatalog.Create(taskName, new Dictionary<string, string>());
        NtmConfig config = ModelPresets.For(taskName, kind) with { InputSize = task.InputSize, OutputSize = task.OutputSize };
        var model = NeuralTuringMachine.Create(config, 7);
        using var trainer = new Trainer(model, task, new TrainerOptions { BatchSize = 1, Threads = stepThreads, Seed = 8 }, stepThreads, adaptive: false);
        Assert.Equal(stepThreads, trainer.StepThreads);
        double cost = 0;
        for (int i = 0; i < sequences; i++)
        {
            cost += trainer.Step().CostBits;
            Assert.Equal(stepThreads > 1, trainer.LastStepShared);
        }
        return (model.Parameters, cost);
    }

    [Fact]
    public void A_trainer_that_switches_between_one_thread_and_two_as_it_times_them_trains_the_same_parameters()
    {
        ISequenceTask task = new CopyTask(bits: 4, maxLength: 6);
        var config = new NtmConfig { InputSize = task.InputSize, OutputSize = task.OutputSize, ControllerSize = 40, MemoryRows = 16, MemoryWidth = 8 };
        float[] Train(int stepThreads, bool adaptive, out int shared)
        {
            var model = NeuralTuringMachine.Create(config, 2);
            using var trainer = new Trainer(model, task, new TrainerOptions { BatchSize = 1, Seed = 3 }, stepThreads, adaptive);
            shared = 0;
            for (int i = 0; i < 200; i++)
            {
                trainer.Step();
                if (trainer.LastStepShared) shared++;
            }
            return model.Parameters;
        }
        float[] one = Train(1, adaptive: false, out int none);
        float[] mixed = Train(2, adaptive: true, out int some);
        Assert.Equal(0, none);
        Assert.InRange(some, 8, 198);   // the first burst is on the team, the second alone, so both ways ran
        Assert.Equal(one, mixed);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Two_threads_in_each_step_train_the_same_parameters_as_one(string task, ModelKind kind, int sequences)
    {
        (float[] one, double costOne) = Train(task, kind, sequences, 1);
        (float[] two, double costTwo) = Train(task, kind, sequences, 2);
        Assert.Equal(costOne, costTwo);
        Assert.Equal(one, two);
    }
}
