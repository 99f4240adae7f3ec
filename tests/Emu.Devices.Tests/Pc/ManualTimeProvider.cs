namespace Emu.Devices.Tests.Pc;

/// <summary>A clock the test moves by hand; its timers fire when <see cref="Advance"/> passes their due time.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = new();
    private DateTimeOffset _now;

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward in steps, firing each timer at its due time.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset end = _now + by;
        while (true)
        {
            ManualTimer? next = _timers.Where(t => t.Due != null && t.Due <= end).MinBy(t => t.Due);
            if (next == null)
                break;
            _now = next.Due!.Value;
            next.Due = null;
            next.Fire();
        }
        _now = end;
    }

    /// <summary>When the earliest armed timer is due, or null.</summary>
    public DateTimeOffset? NextDue => _timers.Where(t => t.Due != null).Select(t => t.Due).Min();

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => Due = null;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
