using Ntm.Model;
using Ntm.Numerics;
using Ntm.Programs;
using Ntm.Tasks;
using Ntm.Tests.Limits;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Programs;

/// <summary>Extraction on the small trained copy model kept as a fixture recovers the copy program; on the shipped repeat-copy model it holds at the shortest sequences and a single pass.</summary>
public sealed class ExtractionTests
{
    [Fact]
    public void Extraction_recovers_the_copy_program_of_the_fixture()
    {
        NeuralTuringMachine machine = Fixture.CopyMachine();
        var task = new CopyTask();
        ExtractionResult result = ProgramExtractor.Extract(machine, task, traces: 30, heldOut: 30, seed: 9);
        TapeProgram program = result.Program;
        Assert.InRange(program.States.Count - 1, 3, 8);
        // It stores every input one row on, and emits rows in order from a read head stepping one row on.
        Assert.Contains(program.States, s => s.Action is { } a && a.Writes[0] == Write.Input && a.Moves[0] == Move.Shift(1));
        Assert.Contains(program.States, s => s.Action is { } a && a.Output == Emit.Read(0) && a.Moves[1] == Move.Shift(1));
        Assert.Equal(1.0, result.Chosen.Agreement);

        AgreementRow training = ProgramAgreement.Measure("training", program, machine, task, task.Sample, 100, machine.Config.MemoryRows, new Rng(1));
        Assert.True(training.SequenceAgreement >= 0.99, $"agreement {training.SequenceAgreement}");
        // Without the network it copies far beyond the 128 rows the machine has.
        AgreementRow far = ProgramAgreement.Measure("far", program, null, task, (r, b) => task.Make(r, b, 300), 3, 300, new Rng(2));
        Assert.Equal(1.0, far.ProgramCorrect);
    }

    [Fact]
    public void Extraction_of_the_shipped_repeat_copy_model_holds_at_one_and_two_vectors_and_one_pass()
    {
        // At length 1 the read head never moves on from the one row of data and at length 2 it steps back and
        // forth over the last row, so neither reads the end of the data on later passes; the counter counts
        // the passes by the output of the last vector instead, and the common reading of each move keeps the
        // read head's direction of travel as the program's.
        NeuralTuringMachine machine = RunFolder.Open(Path.Combine(Ntm.Tests.Models.ShippedModelsTests.ModelsFolder, "repeat-copy")).LoadModel();
        var task = new RepeatCopyTask();
        ExtractionResult result = ProgramExtractor.Extract(machine, task, traces: 100, heldOut: 60, seed: 12345);
        Assert.True(result.Program.Counts);
        AgreementRow training = ProgramAgreement.Measure("training", result.Program, machine, task, task.Sample, 150, machine.Config.MemoryRows, new Rng(4));
        Assert.True(training.SequenceAgreement >= 0.97, $"agreement {training.SequenceAgreement}");
        foreach (string group in new[] { "length 1", "length 2", "repeats 1" })
        {
            AgreementGroup g = Assert.Single(training.Groups!, x => x.Label == group);
            // The machine itself errs on about 1% of training sequences; before these readings, no sequence
            // of length 1 and few of length 2 agreed.
            Assert.True(g.Sequences > 0 && g.Agreeing >= 0.9 * g.Sequences, $"{group}: {g.Agreeing} of {g.Sequences}");
        }
    }

    [Fact]
    public void Extraction_is_deterministic()
    {
        NeuralTuringMachine machine = Fixture.CopyMachine();
        string a = ProgramText.PseudoCode(ProgramExtractor.Extract(machine, new CopyTask(), 10, 10, 4).Program);
        string b = ProgramText.PseudoCode(ProgramExtractor.Extract(machine, new CopyTask(), 10, 10, 4).Program);
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_task_without_an_input_abstraction_is_refused_in_one_line()
    {
        var task = new PrioritySortTask();
        var config = new NtmConfig { InputSize = task.InputSize, OutputSize = task.OutputSize, ControllerSize = 8, MemoryRows = 9, MemoryWidth = 3 };
        var e = Assert.Throws<InvalidConfigurationException>(() => ProgramExtractor.Extract(NeuralTuringMachine.Create(config, 1), task, 2, 2, 1));
        Assert.Contains("priority-sort", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_untrained_machine_gets_a_program_that_does_not_agree()
    {
        var task = new CopyTask();
        var config = new NtmConfig { InputSize = task.InputSize, OutputSize = task.OutputSize, ControllerSize = 16, MemoryRows = 32, MemoryWidth = 8 };
        NeuralTuringMachine machine = NeuralTuringMachine.Create(config, 3);
        ExtractionResult result = ProgramExtractor.Extract(machine, task, 10, 10, 1);
        AgreementRow row = ProgramAgreement.Measure("training", result.Program, machine, task, task.Sample, 20, 32, new Rng(1));
        Assert.Equal(0.0, row.ProgramCorrect);
        Assert.True(row.MachineCorrect < 0.1);
    }
}
