namespace Emu.Devices.Irq;

/// <summary>
/// One re-armable deadline of a <see cref="ClockEvents"/> thread (a local APIC
/// timer, the PIT's IRQ0 edges). Arming and cancelling allocate nothing and
/// may be called from any thread; the callback runs on the clock thread with
/// the deadline it was armed for. A callback can race with a re-arm or a
/// cancel made just before it ran, so its owner compares that deadline with
/// its own state and ignores a stale one.
/// </summary>
public sealed class ClockTimer
{
    internal ClockTimer(ClockEvents owner, Action<long> callback)
    {
        Owner = owner;
        Callback = callback;
    }

    internal ClockEvents Owner { get; }

    internal Action<long> Callback { get; }

    /// <summary>Position in the owner's heap, -1 when not armed. Guarded by the owner's lock.</summary>
    internal int HeapIndex { get; set; } = -1;

    /// <summary>The armed deadline (absolute monotonic nanoseconds). Guarded by the owner's lock.</summary>
    internal long ArmedDeadline { get; set; }

    public bool IsArmed
    {
        get
        {
            lock (Owner.Lock)
                return HeapIndex >= 0;
        }
    }

    /// <summary>Fires the callback at <paramref name="deadlineNanoseconds"/> (<see cref="ClockEvents.Now"/>'s time base), replacing any earlier arming; a past deadline fires at once.</summary>
    public void Arm(long deadlineNanoseconds) => Owner.Arm(this, deadlineNanoseconds);

    public void Cancel() => Owner.Cancel(this);
}
