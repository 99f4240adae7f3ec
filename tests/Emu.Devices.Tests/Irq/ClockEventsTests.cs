using Emu.Devices.Irq;

namespace Emu.Devices.Tests.Irq;

public sealed class ClockEventsTests
{
    [Fact]
    public void ATimerFiresOnTheRealClock()
    {
        using var clock = new ClockEvents();
        using var fired = new ManualResetEventSlim();
        long firedAt = 0;
        ClockTimer timer = clock.CreateTimer(deadline =>
        {
            firedAt = clock.Now;
            fired.Set();
        });
        long deadline = clock.Now + 1_000_000;
        timer.Arm(deadline);
        Assert.True(fired.Wait(TimeSpan.FromSeconds(2)));
        Assert.True(firedAt >= deadline);
        Assert.False(timer.IsArmed);
    }

    [Fact]
    public void AnEarlierArmingWakesTheThreadAndACancelledTimerStaysQuiet()
    {
        using var clock = new ClockEvents();
        using var early = new ManualResetEventSlim();
        int lateFired = 0;
        ClockTimer late = clock.CreateTimer(_ => Interlocked.Increment(ref lateFired));
        ClockTimer soon = clock.CreateTimer(_ => early.Set());
        late.Arm(clock.Now + 60_000_000_000); // a minute away: the thread sleeps on it
        soon.Arm(clock.Now + 2_000_000); // earlier: must re-program the timerfd
        Assert.True(early.Wait(TimeSpan.FromSeconds(2)));
        late.Arm(clock.Now + 20_000_000);
        late.Cancel();
        Thread.Sleep(100);
        Assert.Equal(0, Volatile.Read(ref lateFired));
    }

    [Fact]
    public void TimersFireInDeadlineOrder()
    {
        var clock = ClockEvents.CreateManual(1000);
        var order = new List<(int Timer, long At)>();
        var timers = new ClockTimer[6];
        for (int i = 0; i < timers.Length; i++)
        {
            int id = i;
            timers[i] = clock.CreateTimer(d => order.Add((id, clock.Now)));
        }
        long[] deadlines = [5000, 2000, 9000, 2500, 7000, 3000];
        for (int i = 0; i < timers.Length; i++)
            timers[i].Arm(deadlines[i]);
        timers[2].Arm(1500); // re-armed earlier
        timers[4].Cancel();
        clock.AdvanceTo(8000);
        Assert.Equal(new[] { (2, 1500L), (1, 2000L), (3, 2500L), (5, 3000L), (0, 5000L) }, order);
        Assert.Equal(8000, clock.Now);
    }

    [Fact]
    public void ACallbackCanReArmItself()
    {
        var clock = ClockEvents.CreateManual(0);
        int fired = 0;
        ClockTimer? timer = null;
        timer = clock.CreateTimer(d =>
        {
            fired++;
            timer!.Arm(d + 100);
        });
        timer.Arm(100);
        clock.AdvanceTo(1050);
        Assert.Equal(10, fired);
    }

    [Fact]
    public void DisposeStopsTheThread()
    {
        var clock = new ClockEvents();
        clock.CreateTimer(_ => { }).Arm(clock.Now + 3_600_000_000_000);
        var disposer = new Thread(clock.Dispose);
        disposer.Start();
        Assert.True(disposer.Join(TimeSpan.FromSeconds(5)));
    }
}
