using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Devices.Pc;

/// <summary>
/// The PC's CMOS real-time clock, a Motorola MC146818A: an index port and a
/// data port in front of 128 bytes, of which the first 14 are the clock
/// (time, alarm, registers A-D) and the rest battery-backed RAM. The clock
/// runs on the host's UTC clock plus whatever offset the guest sets; the
/// registers show it in BCD or binary, 12- or 24-hour, as register B asks.
///
/// Interrupts (IRQ 8): periodic (rate from register A), alarm and
/// update-ended, each flagged in register C whether enabled or not; IRQF
/// and the line go up when an enabled one is flagged, and reading C clears
/// them. UIP (register A bit 7) is high during the last 2 ms of every
/// second, so a reader that checks it, as Linux does, never sees a
/// half-updated time.
/// </summary>
public sealed partial class Mc146818Rtc : IIoHandler, IDisposable
{
    public const int Size = 2;
    public const int CenturyIndex = 0x32;

    private const int Seconds = 0x0, SecondsAlarm = 0x1, Minutes = 0x2, MinutesAlarm = 0x3, Hours = 0x4, HoursAlarm = 0x5;
    private const int DayOfWeek = 0x6, DayOfMonth = 0x7, Month = 0x8, Year = 0x9;
    private const int RegisterA = 0xA, RegisterB = 0xB, RegisterC = 0xC, RegisterD = 0xD;

    private const byte AUpdateInProgress = 0x80, ADefault = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    private const byte BSet = 0x80, BPeriodic = 0x40, BAlarm = 0x20, BUpdate = 0x10, BBinary = 0x04, B24Hour = 0x02;
    private const byte BDefault = B24Hour; // as a PC BIOS leaves it: BCD, 24-hour
    private const byte CIrq = 0x80, CPeriodic = 0x40, CAlarm = 0x20, CUpdate = 0x10;
    private const byte DValidRam = 0x80;
    private const byte AlarmDontCare = 0xC0;

    private static readonly TimeSpan s_updateWindow = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan s_minimumTimer = TimeSpan.FromMilliseconds(1);

    private readonly object _lock = new();
    private readonly byte[] _ram = new byte[128];
    private readonly IIrqLine _irq;
    private readonly TimeProvider _clock;
    private readonly ITimer _timer;
    private TimeSpan _offset;
    private RtcTimeFields _held; // the time being set while SET is on
    private int _index;
    private long _lastSecond;
    private long _lastPeriod;
    private bool _irqLevel;

    public Mc146818Rtc(IIrqLine irq, TimeProvider? clock = null)
    {
        _irq = irq;
        _clock = clock ?? TimeProvider.System;
        _timer = _clock.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Reset();
    }

    /// <summary>The time the clock shows now.</summary>
    public DateTime Now
    {
        get
        {
            lock (_lock)
                return GuestNow();
        }
    }

    /// <summary>Writes a byte of battery-backed RAM (0x0E-0x7F), as a BIOS records the memory size there.</summary>
    public void SetRam(int index, byte value)
    {
        if (index is < 0x0E or > 0x7F)
            throw new ArgumentOutOfRangeException(nameof(index), $"CMOS byte 0x{index:x} is not RAM");
        lock (_lock)
            _ram[index] = value;
    }

    public byte GetRam(int index)
    {
        lock (_lock)
            return _ram[index & 0x7F];
    }

    /// <summary>
    /// Register A, B, C, D and the interrupts back to their power-on state.
    /// The time and the RAM survive: they run on the battery.
    /// </summary>
    public void Reset()
    {
        lock (_lock)
        {
            _ram[RegisterA] = ADefault;
            _ram[RegisterB] = BDefault;
            _ram[RegisterC] = 0;
            _ram[RegisterD] = DValidRam;
            _index = 0;
            _lastSecond = CurrentSecond();
            _lastPeriod = CurrentPeriod();
            UpdateIrq();
            Reschedule();
        }
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Fill(0xFF);
        if (offset != 1)
            return; // the index port is write-only
        lock (_lock)
        {
            data[0] = ReadRegister(_index);
            UpdateIrq();
            Reschedule();
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        lock (_lock)
        {
            if (offset == 0)
            {
                // Bit 7 masks NMIs on a PC; the index is the low 7 bits.
                _index = data[0] & 0x7F;
                return;
            }
            if (offset == 1)
            {
                WriteRegister(_index, data[0]);
                UpdateIrq();
                Reschedule();
            }
        }
    }

    private byte ReadRegister(int index)
    {
        switch (index)
        {
            case Seconds or Minutes or Hours or DayOfWeek or DayOfMonth or Month or Year or CenturyIndex:
                return Encode(index, TimeFields());
            case RegisterA:
                return (byte)((_ram[RegisterA] & 0x7F) | (InUpdateWindow() ? AUpdateInProgress : 0));
            case RegisterC:
            {
                Advance();
                byte flags = _ram[RegisterC];
                _ram[RegisterC] = 0;
                return flags;
            }
            default:
                return _ram[index];
        }
    }

    private void WriteRegister(int index, byte value)
    {
        switch (index)
        {
            case Seconds or Minutes or Hours or DayOfWeek or DayOfMonth or Month or Year or CenturyIndex:
            {
                RtcTimeFields fields = TimeFields();
                if (!TryDecode(index, value, ref fields))
                    return; // not a valid value in the current mode: the guest's mistake, ignored
                if ((_ram[RegisterB] & BSet) != 0)
                    _held = fields;
                else
                    SetTime(fields);
                return;
            }
            case RegisterA:
                _ram[RegisterA] = (byte)(value & 0x7F); // UIP is read-only
                _lastPeriod = CurrentPeriod();
                return;
            case RegisterB:
            {
                byte old = _ram[RegisterB];
                if ((value & BSet) != 0 && (old & BSet) == 0)
                    _held = TimeFields(); // the clock stops; the guest writes the new time
                if ((value & BSet) != 0)
                    value &= unchecked((byte)~BUpdate); // the datasheet: setting SET clears UIE
                _ram[RegisterB] = value;
                if ((value & BSet) == 0 && (old & BSet) != 0)
                    SetTime(_held);
                return;
            }
            case RegisterC or RegisterD:
                return; // read-only
            default:
                _ram[index] = value;
                return;
        }
    }

    // The time fields as the registers show them (held while SET is on).
    private RtcTimeFields TimeFields() =>
        (_ram[RegisterB] & BSet) != 0 ? _held : RtcTimeFields.From(GuestNow());

    private void SetTime(RtcTimeFields fields)
    {
        DateTime? time = fields.ToDateTime();
        if (time == null)
            return; // an impossible date: the clock keeps its old time
        _offset = time.Value - _clock.GetUtcNow().UtcDateTime;
        _lastSecond = CurrentSecond();
    }

    private DateTime GuestNow() => _clock.GetUtcNow().UtcDateTime + _offset;

    private long CurrentSecond() => GuestNow().Ticks / TimeSpan.TicksPerSecond;

    private bool InUpdateWindow()
    {
        long ticksIntoSecond = GuestNow().Ticks % TimeSpan.TicksPerSecond;
        return (_ram[RegisterB] & BSet) == 0 && TimeSpan.TicksPerSecond - ticksIntoSecond <= s_updateWindow.Ticks;
    }

    // Register A's rate select: 0 off; 1 and 2 are 256 and 128 Hz; 3-15 are 32768 >> (rate - 1) Hz.
    private long PeriodTicks()
    {
        int rate = _ram[RegisterA] & 0xF;
        if (rate == 0)
            return 0;
        int hertz = rate <= 2 ? 256 >> (rate - 1) : 32768 >> (rate - 1);
        return TimeSpan.TicksPerSecond / hertz;
    }

    private long CurrentPeriod()
    {
        long period = PeriodTicks();
        return period == 0 ? 0 : _clock.GetUtcNow().UtcTicks / period;
    }

    // Brings the flags of register C up to date: UF once per new second, AF
    // when one of the seconds that passed matches the alarm, PF per period.
    private void Advance()
    {
        if ((_ram[RegisterB] & BSet) == 0)
        {
            long second = CurrentSecond();
            if (second > _lastSecond)
            {
                _ram[RegisterC] |= CUpdate;
                long first = Math.Max(_lastSecond + 1, second - 86400);
                for (long s = first; s <= second; s++)
                {
                    if (AlarmMatches(RtcTimeFields.From(new DateTime(s * TimeSpan.TicksPerSecond, DateTimeKind.Utc))))
                    {
                        _ram[RegisterC] |= CAlarm;
                        break;
                    }
                }
                _lastSecond = second;
            }
        }
        long period = CurrentPeriod();
        if (PeriodTicks() != 0 && period != _lastPeriod)
            _ram[RegisterC] |= CPeriodic;
        _lastPeriod = period;
        byte enabled = (byte)(_ram[RegisterB] & (BPeriodic | BAlarm | BUpdate));
        // The enable bits of B line up with the flags of C.
        if ((_ram[RegisterC] & enabled & (CPeriodic | CAlarm | CUpdate)) != 0)
            _ram[RegisterC] |= CIrq;
    }

    private bool AlarmMatches(RtcTimeFields t) =>
        Matches(SecondsAlarm, Seconds, t) && Matches(MinutesAlarm, Minutes, t) && Matches(HoursAlarm, Hours, t);

    private bool Matches(int alarmIndex, int timeIndex, RtcTimeFields t)
    {
        byte alarm = _ram[alarmIndex];
        return (alarm & AlarmDontCare) == AlarmDontCare || alarm == Encode(timeIndex, t);
    }

    private void UpdateIrq()
    {
        bool level = (_ram[RegisterC] & CIrq) != 0;
        if (level != _irqLevel)
        {
            _irqLevel = level;
            _irq.Set(level);
        }
    }

    // Wakes up for the next interrupt the guest enabled, unless one is pending already.
    private void Reschedule()
    {
        byte b = _ram[RegisterB];
        if ((b & (BPeriodic | BAlarm | BUpdate)) == 0 || (_ram[RegisterC] & CIrq) != 0)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        long now = _clock.GetUtcNow().UtcTicks;
        long due = long.MaxValue;
        long period = PeriodTicks();
        if ((b & BPeriodic) != 0 && period != 0)
            due = period - now % period;
        if ((b & (BAlarm | BUpdate)) != 0 && (b & BSet) == 0)
            due = Math.Min(due, TimeSpan.TicksPerSecond - GuestNow().Ticks % TimeSpan.TicksPerSecond);
        if (due == long.MaxValue)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        _timer.Change(TimeSpan.FromTicks(Math.Max(due, s_minimumTimer.Ticks)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            Advance();
            UpdateIrq();
            Reschedule();
        }
    }

    // One time register in the current mode: BCD or binary; 12-hour hours carry PM in bit 7.
    private byte Encode(int index, RtcTimeFields t)
    {
        bool binary = (_ram[RegisterB] & BBinary) != 0;
        int value = index switch
        {
            Seconds => t.Second,
            Minutes => t.Minute,
            Hours => t.Hour,
            DayOfWeek => t.DayOfWeek,
            DayOfMonth => t.Day,
            Month => t.Month,
            Year => t.Year,
            _ => t.Century,
        };
        if (index == Hours && (_ram[RegisterB] & B24Hour) == 0)
        {
            bool pm = value >= 12;
            value = value % 12 == 0 ? 12 : value % 12;
            return (byte)(ToMode(value, binary) | (pm ? 0x80 : 0));
        }
        return ToMode(value, binary);
    }

    private static byte ToMode(int value, bool binary) => binary ? (byte)value : (byte)(((value / 10) << 4) | (value % 10));

    private bool TryDecode(int index, byte raw, ref RtcTimeFields t)
    {
        bool binary = (_ram[RegisterB] & BBinary) != 0;
        bool pm = false;
        if (index == Hours && (_ram[RegisterB] & B24Hour) == 0)
        {
            pm = (raw & 0x80) != 0;
            raw &= 0x7F;
        }
        int value;
        if (binary)
        {
            value = raw;
        }
        else
        {
            int high = raw >> 4, low = raw & 0xF;
            if (high > 9 || low > 9)
                return false;
            value = high * 10 + low;
        }
        switch (index)
        {
            case Seconds when value < 60: t.Second = value; return true;
            case Minutes when value < 60: t.Minute = value; return true;
            case Hours when (_ram[RegisterB] & B24Hour) != 0 && value < 24: t.Hour = value; return true;
            case Hours when value is >= 1 and <= 12: t.Hour = value % 12 + (pm ? 12 : 0); return true;
            case DayOfWeek when value is >= 1 and <= 7: t.DayOfWeek = value; return true;
            case DayOfMonth when value is >= 1 and <= 31: t.Day = value; return true;
            case Month when value is >= 1 and <= 12: t.Month = value; return true;
            case Year when value < 100: t.Year = value; return true;
            case CenturyIndex when value < 100: t.Century = value; return true;
            default: return false;
        }
    }

    public void Dispose() => _timer.Dispose();
}
