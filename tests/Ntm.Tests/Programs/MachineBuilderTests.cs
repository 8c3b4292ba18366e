using Ntm.Programs;
using Xunit;

namespace Ntm.Tests.Programs;

/// <summary>The machine built from hand-made discretised steps: faint moves and a counter taken down by outputs.</summary>
public sealed class MachineBuilderTests
{
    private static StepRecord Step(int t, string symbol, List<Move>? readMove, List<Move>? faintRead, List<Emit>? outputs = null, List<Emit>? end = null) => new()
    {
        Sequence = 0, Step = t, Input = new StepInput(symbol, [t % 2 == 0, true]), Hidden = [0f],
        Moves = [[Move.Shift(1)], readMove], FaintMoves = [null, faintRead], Writes = [Write.Input],
        Outputs = outputs, EndOutputs = end ?? [], ReadBefore = "blank", ActionKey = "k",
    };

    [Fact]
    public void A_read_head_never_focused_in_a_state_follows_its_faint_peak_only_with_faint_moves()
    {
        // The read head has no focus in the state (no move is recorded), but its faint peak lands one row
        // before the latest input's match on both steps, and one row on from where it was on one of them.
        StepRecord[] steps =
        [
            Step(0, "data", null, [Move.Jump(JumpTarget.MatchLast, -1), Move.Shift(1)]),
            Step(1, "data", null, [Move.Jump(JumpTarget.MatchLast, -1)]),
        ];
        int[] labels = [0, 0];
        var (plain, _) = MachineBuilder.Build(steps, labels, 1, 1, 1, 2, 2, [0, 0], readsTape: false);
        var (faint, _) = MachineBuilder.Build(steps, labels, 1, 1, 1, 2, 2, [0, 0], readsTape: false, faint: true);
        Assert.Equal(Move.Stay, plain.States[1].Action!.Moves[1]);
        Assert.Equal(Move.Jump(JumpTarget.MatchLast, -1), faint.States[1].Action!.Moves[1]);
        // A focused move, where there is one, outvotes any number of faint ones.
        steps[1] = Step(1, "data", [Move.Shift(-1)], null);
        (faint, _) = MachineBuilder.Build(steps, labels, 1, 1, 1, 2, 2, [0, 0], readsTape: false, faint: true);
        Assert.Equal(Move.Shift(-1), faint.States[1].Action!.Moves[1]);
    }

    [Fact]
    public void The_counter_is_taken_down_after_each_output_of_the_end_of_the_data()
    {
        // repeat 2, then two steps that output the last row (the end of the data): the step after the
        // second sees n = 0, whatever was read.
        StepRecord[] steps =
        [
            Step(0, "data", [Move.Stay], null),
            Step(1, "repeat 2", [Move.Stay], null),
            Step(2, "blank", [Move.Stay], null, [Emit.Read(0)], [Emit.Read(0)]),
            Step(3, "blank", [Move.Stay], null, [Emit.Read(0)], [Emit.Read(0)]),
            Step(4, "blank", [Move.Stay], null, [Emit.Nothing]),
        ];
        var (program, _) = MachineBuilder.Build(steps, [0, 1, 2, 2, 3], 4, 1, 1, 2, 2, [0, 0], readsTape: true, counts: true);
        Assert.Contains(program.Transitions, t => t.Symbol == "blank" && t.Read == "blank;n>0");
        Assert.Contains(program.Transitions, t => t.Symbol == "blank" && t.Read == "blank;n=0");
        Assert.DoesNotContain(program.Transitions, t => t.Read.Contains("|end", StringComparison.Ordinal));
    }
}
