using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Ntm.Numerics;

/// <summary>
/// A small fixed team of threads that run one piece of work together, each member on its own part,
/// meeting at a barrier between phases. Member 0 is the thread that calls <see cref="Run"/>; members
/// 1 .. Size - 1 are persistent background threads, started on first use and kept for the next call,
/// so a training step pays no thread-pool scheduling. The barrier is sense-reversing on one counter
/// (<see cref="Interlocked"/> and <see cref="Volatile"/>); a waiting member spins for
/// <see cref="TightSpinMicroseconds"/>, then yields, and after <see cref="SpinMicroseconds"/> blocks on a monitor, so an
/// oversubscribed machine (a busy core, more threads than cores) does not crawl. A worker that has
/// waited <see cref="IdleExit"/> for work ends; the next <see cref="Run"/> starts it again, so an
/// abandoned team holds no thread for long. Nothing is allocated per call once the threads exist.
/// </summary>
internal sealed class WorkerTeam : IDisposable
{
    /// <summary>How long a waiting member spins and yields before it blocks: a few training time steps.</summary>
    public const double SpinMicroseconds = 200;

    /// <summary>
    /// How long of that a waiting member spins without yielding: longer than one phase of a training step usually
    /// waits for its slowest member, short enough that a member whose partner lost its core soon lets others run.
    /// </summary>
    public const double TightSpinMicroseconds = 5;

    /// <summary>How long an idle worker waits for work before its thread ends (a later call starts it again).</summary>
    public static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Rows of a matrix that threads split between them come in blocks of this many, so that the
    /// register-blocked kernels of <see cref="Linear"/> (tiles of 4 rows) tile every row alike however
    /// the rows are split, and every entry is computed in the same order.
    /// </summary>
    public const int RowAlignment = 8;

    private const int Pad = 16;   // ints per member in _localSense: one cache line each

    private readonly object _lock = new();
    private readonly Thread?[] _threads;
    private readonly int[] _localSense;
    private readonly long _spinTicks = (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);
    private readonly long _tightTicks = (long)(TightSpinMicroseconds * Stopwatch.Frequency / 1e6);
    private int _arrived, _sense, _generation, _sleepers;
    private Action<int>? _body;
    private Exception? _fault;
    private volatile bool _disposed;

    /// <summary>Members, the calling thread included.</summary>
    public int Size { get; }

    /// <summary>A team of <paramref name="size"/> members (at least 1; a team of 1 runs everything on the caller).</summary>
    public WorkerTeam(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "A team needs at least one member.");
        Size = size;
        _threads = new Thread?[size];
        _localSense = new int[size * Pad];
        _arrived = size;
    }

    /// <summary>
    /// Runs <paramref name="body"/>(member) on every member at once and returns when all have finished.
    /// The body may call <see cref="Barrier"/>; every member must call it the same number of times.
    /// Pass a cached delegate: a new lambda per call allocates.
    /// </summary>
    public void Run(Action<int> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null) throw new InvalidOperationException("A worker of this team failed earlier.", _fault);
        if (Size == 1)
        {
            body(0);
            return;
        }
        lock (_lock)
        {
            _body = body;
            for (int m = 1; m < Size; m++)
                if (_threads[m] is null)
                {
                    var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"ntm step worker {m}" };
                    _threads[m] = thread;
                    thread.Start((m, _generation));
                }
            Volatile.Write(ref _generation, _generation + 1);
            if (_sleepers > 0) Monitor.PulseAll(_lock);
        }
        try
        {
            body(0);
            Barrier(0);
        }
        catch (TeamFaultedException) { ExceptionDispatchInfo.Throw(_fault!); }
        catch (Exception e) { Fail(e); throw; }
    }

    /// <summary>Waits until every member has reached this barrier (sense-reversing, spin then block).</summary>
    public void Barrier(int member)
    {
        if (Size == 1) return;
        int s = _localSense[member * Pad] ^ 1;
        _localSense[member * Pad] = s;
        if (Interlocked.Decrement(ref _arrived) == 0)
        {
            _arrived = Size;                   // published by the release below
            Volatile.Write(ref _sense, s);
            Interlocked.MemoryBarrier();       // the write above before the read of _sleepers (the waiter fences the other way)
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_lock) Monitor.PulseAll(_lock);
            return;
        }
        if (!Await(ref _sense, s, equal: true, idle: false))
            throw new TeamFaultedException(_fault);
    }

    // Spins and yields for up to _spinTicks, then blocks until field == value (equal) or field != value.
    // Returns false when the team failed, or, for an idle wait, when the worker should end.
    private bool Await(ref int field, int value, bool equal, bool idle)
    {
        // A tight spin first (one pause per look, so a partner that arrives is seen within tens of nanoseconds;
        // SpinWait's growing back-off would add microseconds), then yields, then the monitor.
        long start = Stopwatch.GetTimestamp();
        for (int i = 1; ; i++)
        {
            if ((Volatile.Read(ref field) == value) == equal) return true;
            if ((i & 63) == 0)
            {
                if (_fault is not null || _disposed) return false;
                long spun = Stopwatch.GetTimestamp() - start;
                if (spun > _spinTicks) break;
                if (spun > _tightTicks) Thread.Yield();   // past the tight spin, let another thread of this core run
            }
            Thread.SpinWait(1);
        }
        long blockedSince = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            Interlocked.Increment(ref _sleepers);   // full fence: the increment before the read of field
            try
            {
                while ((Volatile.Read(ref field) == value) != equal)
                {
                    if (_fault is not null || _disposed) return false;
                    if (idle && Stopwatch.GetElapsedTime(blockedSince) > IdleExit) return false;
                    Monitor.Wait(_lock, 50);
                }
                return true;
            }
            finally { Interlocked.Decrement(ref _sleepers); }
        }
    }

    private void WorkerLoop(object? state)
    {
        (int member, int seen) = ((int, int))state!;
        while (true)
        {
            if (!Await(ref _generation, seen, equal: false, idle: true))
            {
                lock (_lock)
                {
                    // End only if no work was handed out meanwhile; Run starts a fresh thread for the next call.
                    if (_disposed || _fault is not null || Volatile.Read(ref _generation) == seen)
                    {
                        _threads[member] = null;
                        return;
                    }
                }
            }
            seen = Volatile.Read(ref _generation);
            try
            {
                _body!(member);
                Barrier(member);
            }
            catch (TeamFaultedException) { }
            catch (Exception e) { Fail(e); }
        }
    }

    private void Fail(Exception e)
    {
        lock (_lock)
        {
            _fault ??= e;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of the range [0, total): nearly equal pieces in order,
    /// every boundary between two pieces a multiple of <paramref name="align"/> (the last piece ends at total), so
    /// a kernel that works in blocks of <paramref name="align"/> treats every index alike however the range is split.
    /// </summary>
    public static (int Start, int End) Split(int total, int parts, int part, int align)
    {
        static int Boundary(int total, int parts, int p, int align)
            => p >= parts ? total : (int)((long)total * p / parts / align * align);
        return (Boundary(total, parts, part, align), Boundary(total, parts, part + 1, align));
    }

    /// <summary>Lets the worker threads end; they hold nothing that needs closing.</summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_lock) Monitor.PulseAll(_lock);
    }

    /// <summary>Thrown out of a barrier when another member failed, so no member waits forever.</summary>
    internal sealed class TeamFaultedException(Exception? inner) : Exception("Another member of the team failed.", inner);
}
