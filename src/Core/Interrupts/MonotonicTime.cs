using System.Diagnostics;

namespace Emu.Core.Interrupts;

/// <summary>
/// The host's monotonic clock in nanoseconds, the time base of the userspace
/// timers (local APIC, PIT) and of the software CPU's time stamp counter.
/// </summary>
public static class MonotonicTime
{
    private static readonly double s_nanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static long NowNanoseconds
    {
        get
        {
            long ticks = Stopwatch.GetTimestamp();
            // Stopwatch ticks are nanoseconds on Linux; the division is for other hosts.
            return Stopwatch.Frequency == 1_000_000_000 ? ticks : (long)(ticks * s_nanosecondsPerTick);
        }
    }
}
