using Ntm.Numerics;
using Ntm.Programs;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Programs;

/// <summary>The deterministic executor on hand-written programs: exact at any length and on any tape that holds the data.</summary>
public sealed class ExecutorTests
{
    private static bool Exact(TapeProgram program, SequenceBatch batch, TaskSymbols symbols, int tapeRows)
    {
        for (int b = 0; b < batch.BatchSize; b++)
        {
            ExecutionResult run = TapeExecutor.Run(program, symbols.Symbolize(batch, b), tapeRows);
            if (run.HaltedAt is not null) return false;
            for (int t = 0; t < batch.Steps; t++)
            {
                if (batch.MaskAt(t, b) <= 0) continue;
                Span<float> target = batch.Target(t, b);
                for (int j = 0; j < target.Length; j++)
                    if (run.Outputs[t][j] != target[j] > 0.5f) return false;
            }
        }
        return true;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(20)]
    [InlineData(77)]
    [InlineData(1000)]
    public void Hand_written_copy_is_exact_on_a_tape_as_long_as_the_sequence(int length)
    {
        var task = new CopyTask();
        TaskSymbols symbols = TaskSymbols.For(task)!;
        SequenceBatch batch = task.Make(new Rng(7), length >= 1000 ? 2 : 20, length);
        Assert.True(Exact(HandWritten.Copy(task.Bits), batch, symbols, length));
        // One row fewer and the last input overwrites the first.
        if (length > 1) Assert.False(Exact(HandWritten.Copy(task.Bits), batch, symbols, length - 1));
    }

    [Fact]
    public void Hand_written_repeat_copy_is_exact_for_every_length_and_count_it_is_given()
    {
        var task = new RepeatCopyTask();
        TaskSymbols symbols = TaskSymbols.For(task)!;
        TapeProgram program = HandWritten.RepeatCopy(task.Bits);
        Assert.Equal(7, program.States.Count);
        var rng = new Rng(3);
        for (int length = 1; length <= 10; length++)
            foreach (int repeats in new[] { 1, 2, 5, 10, 11, 30 })
                Assert.True(Exact(program, task.Make(rng, 3, length, repeats), symbols, length + 1), $"length {length}, {repeats} repeats");
        Assert.True(Exact(program, task.Make(rng, 2, 500, 3), symbols, 501));
        // On a tape exactly as long as the data, the last row's next row is the first: no end is seen.
        Assert.False(Exact(program, task.Make(rng, 2, 5, 2), symbols, 5));
    }

    [Fact]
    public void The_executor_halts_on_an_input_it_has_no_transition_for()
    {
        var task = new RepeatCopyTask();
        SequenceBatch batch = task.Make(new Rng(5), 1, 4, 2);
        ExecutionResult run = TapeExecutor.Run(HandWritten.Copy(task.Bits), TaskSymbols.For(task)!.Symbolize(batch, 0), 10);
        Assert.Equal(4, run.HaltedAt);   // the copy program knows no "repeat 2"
        Assert.All(run.Outputs.Skip(4), o => Assert.DoesNotContain(true, o));
        Assert.Equal(-1, run.States[^1]);
    }

    [Fact]
    public void A_jump_with_no_target_leaves_the_head_in_place_before_its_shift()
    {
        var tape = new Tape(10, 2);
        var recent = new RecentInputs();
        Assert.Equal(4, TapeExecutor.Apply(tape, Move.Jump(JumpTarget.FirstWritten, 1), 3, 0, 0, recent));
        tape.Store(7, Write.Input, [true, false], null, 0);
        tape.Store(2, Write.Input, [false, true], null, 1);
        Assert.Equal(8, TapeExecutor.Apply(tape, Move.Jump(JumpTarget.FirstWritten, 1), 3, 0, 0, recent));
        Assert.Equal(2, TapeExecutor.Apply(tape, Move.Jump(JumpTarget.LastWritten), 3, 0, 0, recent));
        recent.Remember(new StepInput("data", [false, true]), 5);
        Assert.Equal(2, TapeExecutor.Apply(tape, Move.Jump(JumpTarget.MatchInput), 3, 0, 0, recent));
        Assert.Equal(2, TapeExecutor.Apply(tape, Move.Jump(JumpTarget.MatchLast, 1), 1, 0, 0, recent) - 1);
        Assert.Equal(9, TapeExecutor.Apply(tape, Move.Shift(-1), 0, 0, 0, recent));   // the tape is circular
        Assert.Equal("data|end", tape.Category(2, 1));     // row 3 holds no data
        Assert.Equal("blank", tape.Category(3, 1));
        tape.Store(3, Write.Input, [true, true], null, 2);
        Assert.Equal("data", tape.Category(2, 1));
        tape.Store(3, new Write(WriteKind.Tag, 4), [false, false], null, 3);
        Assert.Equal("data+tag 4|end", tape.Category(3, 1));
        Assert.True(tape.Data(3)[0] && tape.Data(3)[1]);   // a tag keeps the data
    }

    [Fact]
    public void A_program_with_two_transitions_on_one_input_is_refused()
    {
        var act = new StepAction([Move.Stay], [Write.Nothing], Emit.Nothing);
        Assert.Throws<InvalidConfigurationException>(() => new TapeProgram(1, 0, 2, 2, [0],
            [new("start", null), new("A", act), new("B", act)], [new(0, "data", "", 1), new(0, "data", "", 2)], readsTape: false));
        Assert.Throws<InvalidConfigurationException>(() => new TapeProgram(1, 0, 2, 2, [0],
            [new("start", null), new("A", act with { Output = Emit.Read(0) })], [new(0, "data", "", 1)], readsTape: false));
    }

    [Fact]
    public void A_pass_ends_where_the_end_of_the_data_is_output_even_when_the_end_is_never_read()
    {
        // Length 1 only: the read head waits on a blank row and every pass gives the one stored vector by
        // naming the first row written. No read ever sees the end of the data; the counter still counts passes.
        var task = new RepeatCopyTask();
        TaskSymbols symbols = TaskSymbols.For(task)!;
        var end = new bool[task.Bits + 1];
        end[task.Bits] = true;
        ProgramState[] states =
        [
            new("start", null),
            new("store", new StepAction([Move.Stay, Move.Stay], [Write.Input], Emit.Nothing)),
            new("count", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Nothing)),
            new("pass", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Row(JumpTarget.FirstWritten))),
            new("end", new StepAction([Move.Stay, Move.Stay], [Write.Nothing], Emit.Constant(end))),
        ];
        const string any = TapeProgram.AnyRead;
        Transition[] transitions =
        [
            new(0, "data", any, 1), new(1, "repeat", any, 2), new(2, "blank", "blank;n>0", 3),
            new(3, "blank", "blank;n>0", 3), new(3, "blank", "blank;n=0", 4),
        ];
        var program = new TapeProgram(1, 1, task.Bits, task.Bits + 1, [0, 3], states, transitions, readsTape: true, counts: true);
        var rng = new Rng(5);
        foreach (int repeats in new[] { 1, 2, 5, 10, 30 })
            Assert.True(Exact(program, task.Make(rng, 3, 1, repeats), symbols, 6), $"{repeats} repeats");
        // With two vectors the one named is not the end: no pass ends, and the end marker never comes.
        Assert.False(Exact(program, task.Make(rng, 3, 2, 3), symbols, 6));
    }
}
