using System.Runtime.InteropServices;
using Emu.Core.Interrupts;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Irq;

/// <summary>
/// The machine's timer thread: it sleeps on one CLOCK_MONOTONIC timerfd set
/// to the earliest armed <see cref="ClockTimer"/> and runs the callbacks of
/// the timers that are due, in deadline order. Deadlines are absolute
/// <see cref="MonotonicTime"/> nanoseconds; the kernel's high-resolution
/// timers, with the thread's timer slack set to 1 ns, make them fire tens of
/// microseconds late (about 60 us on average on the shared level-1
/// machine; more when the host is busy). The timers sit in a binary
/// min-heap that grows only when a timer is created, so arming, cancelling
/// and firing allocate nothing.
///
/// Callbacks run without the clock's lock held (they take their device's
/// lock, and devices arm timers under their own locks), so the clock's lock
/// is always the innermost one.
///
/// <see cref="CreateManual"/> makes a clock without a thread whose time moves
/// only by <see cref="AdvanceTo"/>, for tests that need exact counts.
/// </summary>
public sealed unsafe class ClockEvents : IDisposable
{
    private readonly object _lock = new();
    private readonly bool _manual;
    private readonly FileDescriptor? _timerFd;
    private readonly Thread? _thread;
    private readonly ILogger? _logger;
    private ClockTimer?[] _heap = new ClockTimer?[4];
    private int _count; // armed timers, the heap's first _count slots
    private int _created;
    private long _programmed = long.MaxValue; // the deadline the timerfd is set for
    private long _manualNow;
    private volatile bool _stopping;

    /// <summary>A clock on the host's monotonic time with its own thread, named <paramref name="name"/>.</summary>
    public ClockEvents(string name = "clock-events", ILogger? logger = null)
    {
        _logger = logger;
        _timerFd = Epoll.CreateMonotonicTimer();
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    private ClockEvents(long start)
    {
        _manual = true;
        _manualNow = start;
    }

    /// <summary>A clock without a thread: time starts at <paramref name="startNanoseconds"/> and moves only by <see cref="AdvanceTo"/>.</summary>
    public static ClockEvents CreateManual(long startNanoseconds = 1_000_000_000) => new(startNanoseconds);

    internal object Lock => _lock;

    /// <summary>The clock's time in nanoseconds: <see cref="MonotonicTime.NowNanoseconds"/>, or the manual time.</summary>
    public long Now => _manual ? Volatile.Read(ref _manualNow) : MonotonicTime.NowNanoseconds;

    public ClockTimer CreateTimer(Action<long> callback)
    {
        var timer = new ClockTimer(this, callback);
        lock (Lock)
        {
            // Room in the heap for every timer, so arming never allocates.
            if (_heap.Length < ++_created)
                Array.Resize(ref _heap, _created * 2);
        }
        return timer;
    }

    /// <summary>Manual clocks: moves time forward to <paramref name="nanoseconds"/>, firing every timer due by then in order, each at its own deadline's time.</summary>
    public void AdvanceTo(long nanoseconds)
    {
        if (!_manual)
            throw new InvalidOperationException("only a manual clock can be advanced");
        while (true)
        {
            ClockTimer timer;
            long deadline;
            lock (Lock)
            {
                if (_count == 0 || _heap[0]!.ArmedDeadline > nanoseconds)
                    break;
                timer = _heap[0]!;
                deadline = timer.ArmedDeadline;
                RemoveAt(0);
                if (deadline > _manualNow)
                    Volatile.Write(ref _manualNow, deadline);
            }
            timer.Callback(deadline);
        }
        lock (Lock)
        {
            if (nanoseconds > _manualNow)
                Volatile.Write(ref _manualNow, nanoseconds);
        }
    }

    /// <summary>Manual clocks: moves time forward by <paramref name="nanoseconds"/>.</summary>
    public void Advance(long nanoseconds) => AdvanceTo(Now + nanoseconds);

    internal void Arm(ClockTimer timer, long deadline)
    {
        lock (Lock)
        {
            timer.ArmedDeadline = deadline;
            if (timer.HeapIndex < 0)
            {
                int i = _count++;
                _heap[i] = timer;
                timer.HeapIndex = i;
                SiftUp(i);
            }
            else if (!SiftUp(timer.HeapIndex))
            {
                SiftDown(timer.HeapIndex);
            }
            if (ReferenceEquals(_heap[0], timer) && deadline < _programmed)
                Program(deadline);
        }
    }

    internal void Cancel(ClockTimer timer)
    {
        lock (Lock)
        {
            if (timer.HeapIndex >= 0)
                RemoveAt(timer.HeapIndex);
            // The timerfd may still fire for it: the thread then finds nothing due and re-programs.
        }
    }

    private void Run()
    {
        // Expiries as close to their deadlines as the kernel can (no 50 us slack); failure only costs precision.
        Epoll.prctl(Epoll.PR_SET_TIMERSLACK, 1, 0, 0, 0);
        while (true)
        {
            WaitForExpiry();
            while (true)
            {
                if (_stopping)
                    return;
                ClockTimer timer;
                long deadline;
                lock (Lock)
                {
                    _programmed = long.MaxValue;
                    if (_count == 0)
                        break;
                    deadline = _heap[0]!.ArmedDeadline;
                    if (deadline > Now)
                    {
                        Program(deadline);
                        break;
                    }
                    timer = _heap[0]!;
                    RemoveAt(0);
                }
                try
                {
                    timer.Callback(deadline);
                }
                catch (Exception e)
                {
                    // A device bug must not stop every other timer of the machine.
                    _logger?.LogError(e, "timer callback failed");
                }
            }
        }
    }

    private void WaitForExpiry()
    {
        ulong expirations;
        while (LibC.read(_timerFd!, &expirations, 8) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                Sys.Throw("timerfd read");
        }
    }

    // Sets the timerfd to expire at an absolute deadline (as a relative time,
    // so the kernel's clock and MonotonicTime need not be the same clock).
    private void Program(long deadline)
    {
        _programmed = deadline;
        if (_manual)
            return;
        // At most a century ahead: the kernel takes any timespec, but keep it plainly valid.
        SetTimerFd(_stopping ? 1 : Math.Clamp(deadline - Now, 1, 100L * 365 * 24 * 3600 * 1_000_000_000));
    }

    private void SetTimerFd(long delayNanoseconds)
    {
        LibC.Timespec* spec = stackalloc LibC.Timespec[2];
        spec[0] = default; // no interval
        spec[1].Seconds = delayNanoseconds / 1_000_000_000;
        spec[1].Nanoseconds = delayNanoseconds % 1_000_000_000;
        if (Epoll.timerfd_settime(_timerFd!, 0, spec, null) < 0)
            Sys.Throw("timerfd_settime");
    }

    private bool SiftUp(int i)
    {
        ClockTimer timer = _heap[i]!;
        int start = i;
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            ClockTimer p = _heap[parent]!;
            if (p.ArmedDeadline <= timer.ArmedDeadline)
                break;
            _heap[i] = p;
            p.HeapIndex = i;
            i = parent;
        }
        _heap[i] = timer;
        timer.HeapIndex = i;
        return i != start;
    }

    private void SiftDown(int i)
    {
        ClockTimer timer = _heap[i]!;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count)
                break;
            if (child + 1 < _count && _heap[child + 1]!.ArmedDeadline < _heap[child]!.ArmedDeadline)
                child++;
            ClockTimer c = _heap[child]!;
            if (timer.ArmedDeadline <= c.ArmedDeadline)
                break;
            _heap[i] = c;
            c.HeapIndex = i;
            i = child;
        }
        _heap[i] = timer;
        timer.HeapIndex = i;
    }

    private void RemoveAt(int i)
    {
        ClockTimer removed = _heap[i]!;
        removed.HeapIndex = -1;
        int last = --_count;
        ClockTimer? moved = _heap[last];
        _heap[last] = null;
        if (i == last)
            return;
        _heap[i] = moved;
        moved!.HeapIndex = i;
        if (!SiftUp(i))
            SiftDown(i);
    }

    /// <summary>Stops the thread (not from a callback) and closes the timerfd.</summary>
    public void Dispose()
    {
        if (_manual || _stopping)
            return;
        lock (Lock)
        {
            _stopping = true;
            SetTimerFd(1);
        }
        if (Thread.CurrentThread != _thread)
            _thread!.Join();
        _timerFd!.Dispose();
    }
}
