using Ntm.Numerics;
using Xunit;

namespace Ntm.Tests.Kernels;

/// <summary>
/// The worker team behind intra-step parallelism: its barrier orders every member's writes before every
/// member's reads after it, its split covers a range with aligned boundaries, and a failing member does
/// not leave the others waiting.
/// </summary>
public sealed class WorkerTeamTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void After_each_barrier_every_member_sees_what_every_other_wrote_before_it(int size)
    {
        using var team = new WorkerTeam(size);
        const int rounds = 2000;
        var slots = new int[size];
        int errors = 0;
        for (int call = 0; call < 3; call++)   // several calls: the threads are reused
        {
            team.Run(m =>
            {
                for (int r = 1; r <= rounds; r++)
                {
                    slots[m] = r;                      // phase 1: every member writes its slot
                    team.Barrier(m);
                    for (int o = 0; o < size; o++)     // phase 2: every slot holds this round's value
                        if (Volatile.Read(ref slots[o]) != r) Interlocked.Increment(ref errors);
                    team.Barrier(m);
                }
            });
            Assert.Equal(0, errors);
            Array.Clear(slots);
        }
    }

    [Fact]
    public void A_team_of_one_runs_on_the_caller()
    {
        using var team = new WorkerTeam(1);
        int thread = -1;
        team.Run(m => { team.Barrier(m); thread = Environment.CurrentManagedThreadId; });
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
    }

    [Fact]
    public void A_failing_member_fails_the_call_instead_of_hanging_it()
    {
        using var team = new WorkerTeam(2);
        var e = Assert.Throws<InvalidDataException>(() => team.Run(m =>
        {
            if (m == 1) throw new InvalidDataException("member 1 failed");
            team.Barrier(m);
        }));
        Assert.Equal("member 1 failed", e.Message);
        Assert.Throws<InvalidOperationException>(() => team.Run(_ => { }));
    }

    [Theory]
    [InlineData(100, 2, 8)]
    [InlineData(129, 2, 8)]
    [InlineData(400, 3, 8)]
    [InlineData(6, 2, 8)]
    [InlineData(92, 4, 4)]
    public void Split_covers_the_range_in_order_with_aligned_inner_boundaries(int total, int parts, int align)
    {
        int next = 0;
        for (int p = 0; p < parts; p++)
        {
            (int start, int end) = WorkerTeam.Split(total, parts, p, align);
            Assert.Equal(next, start);
            Assert.True(end >= start);
            if (p < parts - 1) Assert.Equal(0, end % align);
            next = end;
        }
        Assert.Equal(total, next);
        Assert.Equal((0, total), WorkerTeam.Split(total, 1, 0, align));
    }
}
