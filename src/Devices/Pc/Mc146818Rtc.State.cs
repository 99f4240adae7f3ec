using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The CMOS in the migration stream: its 128 bytes, the index, the time the
// guest set as an offset from UTC (the clock keeps following real time on the
// destination, as a PC's RTC keeps running while it is switched off), the
// time held while SET is on, and where the interrupt flags were last brought
// up to date. The IRQ 8 level is restored with the interrupt lines.
public sealed partial class Mc146818Rtc
{
    // About 200 years either way: anything beyond is not a clock the guest set.
    private static readonly long s_maxOffsetTicks = TimeSpan.FromDays(366 * 200).Ticks;

    internal void Save(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteBytes("cmos", _ram);
            state.WriteU8("index", (byte)_index);
            state.WriteI64("offset-ticks", _offset.Ticks);
            state.WriteBytes("held", [(byte)_held.Second, (byte)_held.Minute, (byte)_held.Hour, (byte)_held.DayOfWeek,
                (byte)_held.Day, (byte)_held.Month, (byte)_held.Year, (byte)_held.Century]);
            state.WriteI64("last-second", _lastSecond);
            state.WriteI64("last-period", _lastPeriod);
            state.WriteBool("irq-level", _irqLevel);
        }
    }

    internal void Load(StateReader state)
    {
        Span<byte> held = stackalloc byte[8];
        byte[] ram = new byte[_ram.Length];
        state.ReadBytes("cmos", ram);
        byte index = state.ReadU8("index", 0x7F);
        long offset = state.ReadI64("offset-ticks");
        if (offset > s_maxOffsetTicks || offset < -s_maxOffsetTicks)
            throw new MigrationException($"{state.Section}: the clock's offset from UTC ({offset} ticks) is out of range");
        state.ReadBytes("held", held);
        long lastSecond = state.ReadI64("last-second");
        long lastPeriod = state.ReadI64("last-period");
        bool irq = state.ReadBool("irq-level");
        lock (_lock)
        {
            ram.CopyTo(_ram, 0);
            _index = index;
            _offset = TimeSpan.FromTicks(offset);
            _held = new RtcTimeFields
            {
                Second = held[0], Minute = held[1], Hour = held[2], DayOfWeek = held[3],
                Day = held[4], Month = held[5], Year = held[6], Century = held[7],
            };
            _lastSecond = lastSecond;
            _lastPeriod = lastPeriod;
            _irqLevel = irq;
            Reschedule();
        }
    }
}
