using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Pc;

public sealed class Mc146818RtcTests : IDisposable
{
    // Register indices and bits (MC146818A datasheet).
    private const byte Seconds = 0, SecondsAlarm = 1, Minutes = 2, MinutesAlarm = 3, Hours = 4, HoursAlarm = 5, DayOfWeek = 6, Day = 7, Month = 8, Year = 9;
    private const byte A = 0xA, B = 0xB, C = 0xC, D = 0xD, Century = 0x32;

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 23, 59, 58, 500, TimeSpan.Zero));
    private readonly RecordingIrqLine _irq = new();
    private readonly Mc146818Rtc _rtc;

    public Mc146818RtcTests() => _rtc = new Mc146818Rtc(_irq, _clock);

    public void Dispose() => _rtc.Dispose();

    private byte Get(byte index)
    {
        _rtc.Write(0, new[] { index });
        byte[] data = { 0 };
        _rtc.Read(1, data);
        return data[0];
    }

    private void Set(byte index, byte value)
    {
        _rtc.Write(0, new[] { index });
        _rtc.Write(1, new[] { value });
    }

    [Fact]
    public void TheClockShowsHostUtcInBcdAnd24HourMode()
    {
        Assert.Equal(0x58, Get(Seconds));
        Assert.Equal(0x59, Get(Minutes));
        Assert.Equal(0x23, Get(Hours));
        Assert.Equal(0x21, Get(Day));
        Assert.Equal(0x11, Get(Month));
        Assert.Equal(0x26, Get(Year));
        Assert.Equal(0x20, Get(Century));
        Assert.Equal(0x7, Get(DayOfWeek)); // 21 November 2026 is a Saturday: 7 with Sunday = 1
        Assert.Equal(0x02, Get(B)); // 24-hour, BCD, nothing enabled
        Assert.Equal(0x80, Get(D)); // valid RAM and time
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0x00, Get(Seconds));
        Assert.Equal(0x00, Get(Hours));
        Assert.Equal(0x22, Get(Day));
    }

    [Fact]
    public void BinaryAnd12HourModesChangeTheEncoding()
    {
        Set(B, 0x04); // binary, 12-hour
        Assert.Equal(58, Get(Seconds));
        Assert.Equal(0x80 | 11, Get(Hours)); // 23:59 is 11 PM
        Set(B, 0x00); // BCD, 12-hour
        Assert.Equal(0x80 | 0x11, Get(Hours));
    }

    [Fact]
    public void TheGuestSetsTheTimeWithSetAndItKeepsRunning()
    {
        Set(B, 0x82); // SET: the clock stops while the guest writes
        Set(Seconds, 0x30);
        Set(Minutes, 0x15);
        Set(Hours, 0x08);
        Set(Day, 0x01);
        Set(Month, 0x02);
        Set(Year, 0x24);
        Set(Century, 0x20);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0x30, Get(Seconds)); // still held
        Set(B, 0x02);
        Assert.Equal(new DateTime(2024, 2, 1, 8, 15, 30, DateTimeKind.Utc), _rtc.Now);
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(0x31, Get(Seconds));
        Assert.Equal(0x16, Get(Minutes));
    }

    [Fact]
    public void InvalidValuesAreIgnored()
    {
        DateTime before = _rtc.Now;
        Set(Seconds, 0x7A); // not BCD
        Set(Month, 0x13);
        Set(Hours, 0x24);
        Set(B, 0x82);
        Set(Day, 0x31);
        Set(Month, 0x02); // 31 February
        Set(B, 0x02); // refused as a whole: the clock keeps its time
        Assert.Equal(before, _rtc.Now);
    }

    [Fact]
    public void UpdateInProgressIsHighJustBeforeEachSecond()
    {
        Assert.Equal(0x26, Get(A)); // 500 ms into the second
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(0xA6, Get(A)); // 1 ms before the update
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(0x26, Get(A));
    }

    [Fact]
    public void UpdateEndedInterruptsComeOncePerSecondUntilRegisterCIsRead()
    {
        Assert.Equal(0, Get(C) & 0x80);
        Set(B, 0x12); // UIE
        Assert.NotNull(_clock.NextDue);
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(_irq.Level);
        Assert.Equal(1, _irq.RisingEdges);
        Assert.Equal(0x90, Get(C) & 0x90); // IRQF | UF, and reading clears them
        Assert.False(_irq.Level);
        Assert.Equal(0, Get(C) & 0x90);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _irq.RisingEdges);
    }

    [Fact]
    public void FlagsAreSetEvenWhenTheirInterruptIsOff()
    {
        _clock.Advance(TimeSpan.FromSeconds(3));
        // UF and PF (register A's default 1024 Hz rate), and AF: the alarm registers
        // hold 00:00:00 and the clock passed midnight. No IRQF.
        Assert.Equal(0x70, Get(C));
        Assert.Equal(0, _irq.RisingEdges);
        Assert.Null(_clock.NextDue); // no timer runs when nothing is enabled
    }

    [Fact]
    public void TheAlarmFiresAtItsTimeWithDontCareFields()
    {
        Set(SecondsAlarm, 0x05);
        Set(MinutesAlarm, 0xC0); // any minute
        Set(HoursAlarm, 0xC0); // any hour
        Set(B, 0x22); // AIE
        _clock.Advance(TimeSpan.FromSeconds(3)); // 00:00:01
        Assert.Equal(0, _irq.RisingEdges);
        _clock.Advance(TimeSpan.FromSeconds(4)); // past 00:00:05
        Assert.Equal(1, _irq.RisingEdges);
        Assert.Equal(0xB0, Get(C) & 0xB0); // IRQF | AF | UF
    }

    [Fact]
    public void PeriodicInterruptsFollowTheRateOfRegisterA()
    {
        Set(A, 0x2F); // rate 15: 2 Hz
        Set(B, 0x42); // PIE
        _clock.Advance(TimeSpan.FromMilliseconds(499)); // the next half-second boundary is 500 ms away
        Assert.False(_irq.Level);
        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(_irq.Level);
        Assert.Equal(0xC0, Get(C) & 0xC0);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _irq.RisingEdges); // the line stays up until C is read: one more edge
    }

    [Fact]
    public void RamKeepsItsContentsAcrossReset()
    {
        Set(0x40, 0xA5);
        Set(B, 0x12);
        _rtc.Reset();
        Assert.Equal(0xA5, Get(0x40));
        Assert.Equal(0x02, Get(B));
        Assert.Throws<ArgumentOutOfRangeException>(() => _rtc.SetRam(0x0B, 1));
    }

    [Fact]
    public void TheIndexPortIsWriteOnlyAndMasksBit7()
    {
        byte[] data = { 0 };
        _rtc.Read(0, data);
        Assert.Equal(0xFF, data[0]);
        _rtc.Write(0, new byte[] { 0x80 | Year }); // NMI mask bit set
        _rtc.Read(1, data);
        Assert.Equal(0x26, data[0]);
    }
}
