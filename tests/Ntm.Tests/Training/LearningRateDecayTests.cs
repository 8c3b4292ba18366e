using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Training;

/// <summary>The half-cosine learning-rate decay: its values, its validation, and that the trainer applies it.</summary>
public sealed class LearningRateDecayTests
{
    [Fact]
    public void The_rate_falls_along_a_half_cosine_to_its_final_fraction_and_stays()
    {
        var o = new TrainerOptions { LearningRate = 1e-4f, DecaySequences = 1000, FinalLearningRateFraction = 0.05f };
        Assert.Equal(1e-4f, o.LearningRateAt(0), 1e-12f);
        Assert.Equal(1e-4f * (0.05f + 0.95f * 0.5f), o.LearningRateAt(500), 1e-10f);   // half way: the mean of start and end
        Assert.Equal(5e-6f, o.LearningRateAt(1000), 1e-12f);
        Assert.Equal(5e-6f, o.LearningRateAt(50_000), 1e-12f);
        Assert.True(o.LearningRateAt(250) > o.LearningRateAt(251));
        Assert.Equal(1e-4f, new TrainerOptions { LearningRate = 1e-4f }.LearningRateAt(10_000_000));   // no decay by default
    }

    [Theory]
    [InlineData(-1L, 0.05f)]
    [InlineData(100L, 0f)]
    [InlineData(100L, 1.5f)]
    public void Bad_decay_settings_are_refused(long sequences, float fraction)
        => Assert.Throws<InvalidConfigurationException>(() => new TrainerOptions { DecaySequences = sequences, FinalLearningRateFraction = fraction }.Validate());

    [Fact]
    public void The_trainer_uses_the_rate_of_the_sequences_seen_before_each_update()
    {
        var task = new CopyTask(bits: 4, maxLength: 3);
        var config = new NtmConfig { InputSize = task.InputSize, OutputSize = task.OutputSize, ControllerSize = 8, MemoryRows = 8, MemoryWidth = 4 };
        var options = new TrainerOptions { BatchSize = 2, LearningRate = 1e-3f, DecaySequences = 10 };
        var trainer = new Trainer(NeuralTuringMachine.Create(config, 1), task, options);
        for (int i = 0; i < 3; i++) trainer.Step();
        Assert.Equal(options.LearningRateAt(4), trainer.Optimizer.LearningRate);   // the third update came after 4 sequences
        for (int i = 0; i < 10; i++) trainer.Step();
        Assert.Equal(options.LearningRateAt(10), trainer.Optimizer.LearningRate, 1e-12f);
    }
}
