using Emu.Core.Memory;

namespace Emu.Devices.Irq;

/// <summary>
/// Port 0x61, ICH9's NMI status and control register (NMI_SC): bit 0 gates
/// the 8254's counter 2, bit 1 enables the speaker data (kept, no sound),
/// bits 2 and 3 enable the PCI SERR# and IOCHK# NMI sources (kept; neither
/// source is ever asserted, so bits 6 and 7 read 0); bit 4 is the refresh
/// toggle, which flips on every DRAM refresh request (every 15.085
/// microseconds; Linux and old firmware time short delays by it) and bit 5 is
/// counter 2's OUT. Bits 7:4 are read-only.
/// </summary>
public sealed partial class NmiStatusControlPort : IIoHandler
{
    public const ushort Port = 0x61;
    public const long RefreshPeriodNanoseconds = 15_085;

    private readonly Pit8254 _pit;
    private readonly ClockEvents _clock;
    private readonly object _lock = new();
    private byte _control;

    public NmiStatusControlPort(Pit8254 pit, ClockEvents clock)
    {
        _pit = pit;
        _clock = clock;
        pit.Port61 = this;
    }

    /// <summary>The four control bits (for the migration stream; the counter 2 gate is the PIT's state).</summary>
    internal byte Control
    {
        get
        {
            lock (_lock)
                return _control;
        }
        set
        {
            lock (_lock)
                _control = (byte)(value & 0x0F);
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _control = 0;
            _pit.Counter2Gate = false;
        }
    }

    public void Read(ulong offset, Span<byte> data)
    {
        data.Fill(0xFF);
        if (offset != 0 || data.IsEmpty)
            return;
        byte value;
        lock (_lock)
            value = (byte)(_control & 0x0F);
        if ((_clock.Now / RefreshPeriodNanoseconds & 1) != 0)
            value |= 0x10;
        if (_pit.Counter2Output)
            value |= 0x20;
        data[0] = value;
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset != 0 || data.IsEmpty)
            return;
        lock (_lock)
        {
            _control = (byte)(data[0] & 0x0F);
            _pit.Counter2Gate = (data[0] & 0x01) != 0;
        }
    }
}
