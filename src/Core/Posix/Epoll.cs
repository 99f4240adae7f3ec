using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// The event-waiting calls a VMM's event threads need beside the ones in
/// <see cref="LibC"/>: timerfd, a file descriptor that becomes readable when a
/// CLOCK_MONOTONIC timer expires (precise to the kernel's high-resolution
/// timers, unlike a millisecond epoll timeout), so a thread can sleep on it
/// alone or together with eventfds in epoll; and prctl for the timer slack
/// the kernel may add to such a thread's sleeps. Every call sets errno, read
/// through <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
public static unsafe partial class Epoll
{
    private const string Lib = "libc";

    /// <summary>The clock of <see cref="System.Diagnostics.Stopwatch"/> on Linux.</summary>
    public const int CLOCK_MONOTONIC = 1;

    public const int TFD_NONBLOCK = 0x800;
    public const int TFD_CLOEXEC = 0x80000;

    /// <summary>timerfd_settime: the expiry is an absolute time of the timer's clock.</summary>
    public const int TFD_TIMER_ABSTIME = 1;

    /// <summary>prctl option: the calling thread's timer slack in nanoseconds (the kernel's default is 50 us).</summary>
    public const int PR_SET_TIMERSLACK = 29;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int timerfd_create(int clockId, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>
    /// Arms (or with a zero <c>it_value</c> disarms) the timer.
    /// <paramref name="newValue"/> points at a <c>struct itimerspec</c>: two
    /// <see cref="LibC.Timespec"/>, the interval then the first expiry.
    /// </summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int timerfd_settime(FileDescriptor fd, int flags, LibC.Timespec* newValue, LibC.Timespec* oldValue);

    /// <summary>A new CLOCK_MONOTONIC timerfd, close-on-exec, disarmed.</summary>
    public static FileDescriptor CreateMonotonicTimer(bool nonBlocking = false)
    {
        int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | (nonBlocking ? TFD_NONBLOCK : 0));
        if (fd < 0)
            Sys.Throw("timerfd_create");
        return new FileDescriptor(fd);
    }
}
