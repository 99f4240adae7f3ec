namespace Emu.Devices.Irq;

/// <summary>
/// The arithmetic of a local APIC timer (Intel SDM vol. 3A, 11.5.4), run
/// under its APIC's lock. The APIC's bus clock is 1 GHz, as KVM's: one bus
/// cycle is one nanosecond of <see cref="ClockEvents.Now"/>, and the divide
/// configuration register stretches a count tick to 1-128 cycles. The
/// current count is never stored: it is computed from the time the count
/// started, so it counts down in real time without a ticking thread; only
/// expiries are clock events.
///
/// Periodic expiries closer than <see cref="MinimumPeriodNanoseconds"/> are
/// spaced out to that period (KVM's min_timer_period_us), so a guest cannot
/// make the clock thread spin; the current count still shows the programmed
/// period.
/// </summary>
internal sealed partial class LocalApicTimer
{
    public const long MinimumPeriodNanoseconds = 200_000;

    private readonly ClockTimer _clock;
    private long _start;     // when counting from the initial count began
    private long _deadline;  // the armed expiry, 0 when none

    public LocalApicTimer(ClockEvents clock, Action<long> expired)
    {
        _clock = clock.CreateTimer(expired);
        DivideShift = 1;
    }

    public uint InitialCount { get; private set; }

    /// <summary>The divide configuration register (bits 3, 1, 0).</summary>
    public uint DivideConfiguration { get; private set; }

    /// <summary>log2 of the divisor: 0b000 divides by 2 ... 0b110 by 128, 0b111 by 1.</summary>
    public int DivideShift { get; private set; }

    /// <summary>The TSC-deadline mode's deadline in monotonic nanoseconds; 0 when disarmed or after it fired (as IA32_TSC_DEADLINE reads 0).</summary>
    public long TscDeadline { get; private set; }

    public void Reset()
    {
        Stop();
        DivideConfiguration = 0;
        DivideShift = 1;
    }

    /// <summary>Disarms everything and zeroes the initial count (reset; a change of timer mode, as KVM does).</summary>
    public void Stop()
    {
        InitialCount = 0;
        TscDeadline = 0;
        Disarm();
    }

    /// <summary>Writing the initial count starts the count (0 stops it); ignored in TSC-deadline mode.</summary>
    public void WriteInitialCount(uint count, LocalApicTimerMode mode, long now)
    {
        if (mode == LocalApicTimerMode.TscDeadline)
            return;
        InitialCount = count;
        if (count == 0)
        {
            Disarm();
            return;
        }
        _start = now;
        Arm(now + ((long)count << DivideShift));
    }

    /// <summary>A new divisor: the count goes on from its current value at the new rate.</summary>
    public void WriteDivideConfiguration(uint value, LocalApicTimerMode mode, long now)
    {
        value &= 0xB;
        uint current = CurrentCount(mode, now);
        DivideConfiguration = value;
        uint code = ((value >> 1) & 4) | (value & 3);
        DivideShift = code == 7 ? 0 : (int)code + 1;
        if (mode != LocalApicTimerMode.TscDeadline && InitialCount != 0 && current != 0)
        {
            _start = now - ((long)(InitialCount - current) << DivideShift);
            Arm(now + ((long)current << DivideShift));
        }
    }

    /// <summary>The current count register: 0 in TSC-deadline mode and after a one-shot expiry.</summary>
    public uint CurrentCount(LocalApicTimerMode mode, long now)
    {
        if (mode == LocalApicTimerMode.TscDeadline || InitialCount == 0)
            return 0;
        long elapsed = Math.Max(0, now - _start) >> DivideShift;
        if (mode == LocalApicTimerMode.Periodic)
            return InitialCount - (uint)(elapsed % InitialCount);
        return elapsed >= InitialCount ? 0 : InitialCount - (uint)elapsed;
    }

    /// <summary>Arms TSC-deadline mode; true when the deadline has already passed and the timer fires now.</summary>
    public bool SetTscDeadline(long deadline, long now)
    {
        TscDeadline = deadline;
        if (deadline == 0)
        {
            Disarm();
            return false;
        }
        if (deadline <= now)
        {
            TscDeadline = 0;
            Disarm();
            return true;
        }
        Arm(deadline);
        return false;
    }

    /// <summary>
    /// The clock's callback for <paramref name="deadline"/>: false when it is
    /// stale (re-armed or stopped since); otherwise the expiry is consumed, a
    /// periodic count is re-armed for its next period, and the LVT fires.
    /// </summary>
    public bool Expire(long deadline, LocalApicTimerMode mode, long now)
    {
        if (_deadline == 0 || deadline != _deadline)
            return false;
        _deadline = 0;
        if (mode == LocalApicTimerMode.TscDeadline)
        {
            TscDeadline = 0;
        }
        else if (mode == LocalApicTimerMode.Periodic && InitialCount != 0)
        {
            long period = (long)InitialCount << DivideShift;
            long next = _start + ((Math.Max(now, deadline) - _start) / period + 1) * period;
            if (period < MinimumPeriodNanoseconds)
                next = Math.Max(next, now + MinimumPeriodNanoseconds);
            Arm(next);
        }
        return true;
    }

    private void Arm(long deadline)
    {
        _deadline = deadline;
        _clock.Arm(deadline);
    }

    private void Disarm()
    {
        if (_deadline == 0)
            return;
        _deadline = 0;
        _clock.Cancel();
    }
}
