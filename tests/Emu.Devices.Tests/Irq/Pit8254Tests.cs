using Emu.Devices.Irq;
using static Emu.Devices.Tests.Irq.IrqRig;

namespace Emu.Devices.Tests.Irq;

// The 8254 against its datasheet, on a manual clock: exact counts.
public sealed class Pit8254Tests
{
    private const double NanosecondsPerClock = 1e9 / 1_193_182;

    private readonly ClockEvents _clock = ClockEvents.CreateManual();
    private readonly RecordingIrqLine _irq0 = new();
    private readonly Pit8254 _pit;
    private readonly NmiStatusControlPort _port61;

    public Pit8254Tests()
    {
        _pit = new Pit8254(_irq0, _clock);
        _port61 = new NmiStatusControlPort(_pit, _clock);
    }

    private void Clocks(double clocks) => _clock.Advance((long)Math.Ceiling(clocks * NanosecondsPerClock));

    private void Control(byte value) => Out(_pit, 3, value);

    private void Load(int counter, int count)
    {
        Out(_pit, (ulong)counter, (byte)count);
        Out(_pit, (ulong)counter, (byte)(count >> 8));
    }

    private int ReadCount(int counter)
    {
        int low = In(_pit, (ulong)counter);
        return low | (In(_pit, (ulong)counter) << 8);
    }

    private int LatchedCount(int counter)
    {
        Control((byte)(counter << 6)); // counter latch command
        return ReadCount(counter);
    }

    [Fact]
    public void Mode0CountsDownAndRaisesOutAtTerminalCount()
    {
        Control(0x30); // counter 0, LSB then MSB, mode 0, binary
        Assert.False(_irq0.Level); // the control word sets OUT low in mode 0
        Load(0, 1000);
        int edges = _irq0.RisingEdges;
        Assert.Equal(1000, LatchedCount(0));
        Clocks(400.5);
        Assert.Equal(600, LatchedCount(0));
        Assert.False(_irq0.Level);
        Clocks(600);
        Assert.True(_irq0.Level); // terminal count: the interrupt
        Assert.Equal(edges + 1, _irq0.RisingEdges);
        Clocks(10);
        Assert.Equal(0xFFFF - 9, LatchedCount(0)); // the count wraps on, OUT stays high
        Assert.True(_irq0.Level);
        Assert.Equal(edges + 1, _irq0.RisingEdges);
    }

    [Fact]
    public void Mode2GivesOneInterruptPerPeriod()
    {
        Control(0x34); // counter 0, mode 2 (Linux's periodic PIT tick)
        Load(0, 1193); // ~1 ms
        int edges = _irq0.RisingEdges;
        Assert.True(_irq0.Level);
        Clocks(1193 * 10 + 0.5);
        Assert.Equal(edges + 10, _irq0.RisingEdges);
        Clocks(500);
        Assert.Equal(1193 - 500, LatchedCount(0));
    }

    [Fact]
    public void Mode3IsASquareWaveCountingDownByTwo()
    {
        Control(0x36); // counter 0, mode 3
        Load(0, 1000);
        int edges = _irq0.RisingEdges;
        Assert.Equal(1000, LatchedCount(0));
        Clocks(100.5);
        Assert.Equal(800, LatchedCount(0));
        Assert.True(_irq0.Level); // first half high
        Clocks(450);
        Assert.False(_irq0.Level); // second half low
        Clocks(450);
        Assert.True(_irq0.Level);
        Assert.Equal(edges + 1, _irq0.RisingEdges);
        Clocks(1000 * 5);
        Assert.Equal(edges + 6, _irq0.RisingEdges);
    }

    [Fact]
    public void ALatchHoldsTheCountUntilRead()
    {
        Control(0x34);
        Load(0, 50000);
        Clocks(100.5);
        Control(0x00); // latch counter 0
        Clocks(1000);
        Control(0x00); // ignored: already latched
        Assert.Equal(49900, ReadCount(0));
        Assert.Equal(48900, ReadCount(0)); // unlatched again: the live count
    }

    [Fact]
    public void LsbOnlyAndMsbOnlyAccess()
    {
        Control(0x50); // counter 1, LSB only, mode 0
        Out(_pit, 1, 200);
        Clocks(50.5);
        Control(0x40);
        Assert.Equal(150, In(_pit, 1));
        Control(0x60); // counter 1, MSB only, mode 0
        Out(_pit, 1, 0x12); // count 0x1200
        Clocks(0x100 + 0.5);
        Assert.Equal(0x11, In(_pit, 1));
    }

    [Fact]
    public void ReadBackLatchesStatusThenCount()
    {
        Control(0xB1); // counter 2, LSB then MSB, mode 0, BCD
        Control(0xE8); // read-back: status only, counter 2
        Assert.Equal(0x40 | 0x30 | 0x01, In(_pit, 2)); // OUT low, null count (no count yet), RW 3, mode 0, BCD
        Out(_pit, 2, 0x34);
        Out(_pit, 2, 0x12); // BCD 1234
        _port61.Write(0, new byte[] { 0x01 }); // gate counter 2 on
        Clocks(34.5);
        Control(0xC8); // read-back: count and status of counter 2
        Assert.Equal(0x30 | 0x01, In(_pit, 2)); // count loaded: null count clear
        Assert.Equal(0x1200, ReadCount(2)); // 1234 - 34 in BCD
    }

    [Fact]
    public void BcdCountsWrapAtTenThousand()
    {
        Control(0x31); // counter 0, mode 0, BCD
        Load(0, 0x0000); // 0 is 10000
        Clocks(1.5);
        Assert.Equal(0x9999, LatchedCount(0));
    }

    [Fact]
    public void Port61GatesCounter2AndShowsItsOutput()
    {
        // Linux's PIT calibration: counter 2, mode 0, gate on, poll bit 5.
        _port61.Write(0, new byte[] { 0x00 });
        Control(0xB0); // counter 2, mode 0
        Load(2, 0xFFFF);
        Clocks(10000);
        Assert.Equal(0xFFFF, LatchedCount(2)); // gate low: not counting
        Assert.Equal(0, Port61() & 0x20);
        _port61.Write(0, new byte[] { 0x03 }); // gate and speaker data
        Assert.Equal(0x03, Port61() & 0x0F);
        Clocks(0xFFFF - 1);
        Assert.Equal(0, Port61() & 0x20);
        Clocks(2);
        Assert.Equal(0x20, Port61() & 0x20);
    }

    [Fact]
    public void Port61RefreshBitToggles()
    {
        int first = Port61() & 0x10;
        _clock.Advance(NmiStatusControlPort.RefreshPeriodNanoseconds);
        Assert.NotEqual(first, Port61() & 0x10);
        _clock.Advance(NmiStatusControlPort.RefreshPeriodNanoseconds);
        Assert.Equal(first, Port61() & 0x10);
    }

    [Fact]
    public void GateLowStopsMode2AndHoldsOutHigh()
    {
        _port61.Write(0, new byte[] { 0x01 });
        Control(0xB4); // counter 2, mode 2
        Load(2, 100);
        Clocks(99.5);
        Assert.Equal(0, Port61() & 0x20); // the one clock low at count 1
        _port61.Write(0, new byte[] { 0x00 });
        Assert.Equal(0x20, Port61() & 0x20); // gate low forces OUT high
        Clocks(1000);
        _port61.Write(0, new byte[] { 0x01 }); // rising gate reloads
        Clocks(10.5);
        Assert.Equal(90, LatchedCount(2));
    }

    [Fact]
    public void Mode1And5WaitForAGateTrigger()
    {
        Control(0xB2); // counter 2, mode 1
        Load(2, 100);
        Assert.Equal(0x20, Port61() & 0x20); // OUT high until triggered
        Clocks(500);
        _port61.Write(0, new byte[] { 0x01 }); // trigger
        Assert.Equal(0, Port61() & 0x20); // OUT low for N clocks
        Clocks(100.5);
        Assert.Equal(0x20, Port61() & 0x20);

        _port61.Write(0, new byte[] { 0x00 });
        Control(0xBA); // counter 2, mode 5
        Load(2, 100);
        _port61.Write(0, new byte[] { 0x01 });
        Clocks(100.5);
        Assert.Equal(0, Port61() & 0x20); // the strobe: low for one clock at N
        Clocks(1);
        Assert.Equal(0x20, Port61() & 0x20);
    }

    [Fact]
    public void Mode4StrobesOnce()
    {
        Control(0x38); // counter 0, mode 4
        Load(0, 500);
        Assert.True(_irq0.Level);
        int before = _irq0.RisingEdges;
        Clocks(5000);
        Assert.Equal(before + 1, _irq0.RisingEdges);
    }

    [Fact]
    public void ShortPeriodsAreLimitedToOneInterruptPer200Microseconds()
    {
        Control(0x34);
        Load(0, 2); // 600 kHz: the guest asked for too much
        int edges = _irq0.RisingEdges;
        _clock.Advance(10_000_000);
        Assert.InRange(_irq0.RisingEdges - edges, 40, 50);
        Assert.InRange(LatchedCount(0), 1, 2); // the counter itself still counts as programmed
    }

    private byte Port61()
    {
        byte[] b = new byte[1];
        _port61.Read(0, b);
        return b[0];
    }
}
