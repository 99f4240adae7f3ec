using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Devices.Irq;

/// <summary>
/// The PC's 8254 programmable interval timer at ports 0x40-0x43 (Intel 8254
/// datasheet; ICH9 datasheet, 8254 timers): three counters on a 1.193182 MHz
/// clock. Counter 0's OUT is ISA IRQ 0 (the PIC's IRQ 0 and IOAPIC pin 2),
/// counter 1 (DRAM refresh on old PCs) drives nothing, counter 2's gate and
/// OUT are bits 0 and 5 of port 0x61 (<see cref="NmiStatusControlPort"/>).
/// Counters 0 and 1 have their gates tied high.
///
/// Control word (port 0x43): counter select (7:6), access (5:4: latch, LSB,
/// MSB, LSB then MSB), mode (3:1), BCD (0); select 3 is the read-back command
/// (latch count when bit 5 is 0, status when bit 4 is 0, for the counters in
/// bits 3:1).
///
/// Counts are computed from the time on every read (see
/// <see cref="PitCounter"/>); only counter 0's output edges are clock
/// events, and they go to the line as a level (modes 0 and 1), falls and
/// rises (mode 3) or one-clock pulses (modes 2, 4 and 5). Periodic edges are
/// kept at least 200 microseconds apart (KVM's limit), so a guest cannot
/// make the timer thread spin.
/// </summary>
public sealed partial class Pit8254 : IIoHandler
{
    public const ushort PortBase = 0x40;
    public const int PortCount = 4;
    public const long MinimumIrqPeriodNanoseconds = 200_000;

    private static readonly long s_minimumClocks = MinimumIrqPeriodNanoseconds * PitCounter.Frequency / 1_000_000_000 + 1;

    private readonly object _lock = new();
    private readonly PitCounter[] _counters = [new(), new(), new()];
    private readonly IIrqLine _irq0;
    private readonly ClockEvents _clock;
    private readonly ClockTimer _timer;
    private bool _irqLevel;
    private long _edgeDeadline; // the armed edge of counter 0, 0 when none
    private bool _edgeRise;
    private bool _edgePulse;

    public Pit8254(IIrqLine irq0, ClockEvents clock)
    {
        _irq0 = irq0;
        _clock = clock;
        _timer = clock.CreateTimer(OnEdge);
        Reset();
    }

    public void Reset()
    {
        lock (_lock)
        {
            long now = _clock.Now;
            for (int i = 0; i < 3; i++)
                _counters[i].Reset(gate: i != 2, now);
            UpdateIrqLocked(now);
        }
    }

    /// <summary>Counter 2's gate (port 0x61 bit 0).</summary>
    public bool Counter2Gate
    {
        get
        {
            lock (_lock)
                return _counters[2].Gate;
        }
        set
        {
            lock (_lock)
                _counters[2].SetGate(value, _clock.Now);
        }
    }

    /// <summary>Counter 2's OUT (port 0x61 bit 5).</summary>
    public bool Counter2Output
    {
        get
        {
            lock (_lock)
                return _counters[2].Output(_clock.Now);
        }
    }

    /// <summary>The mode counter <paramref name="counter"/> runs in (for diagnostics and tests).</summary>
    public int GetMode(int counter)
    {
        lock (_lock)
            return _counters[counter].Mode;
    }

    public void Read(ulong offset, Span<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            ulong port = offset + (ulong)i;
            if (port >= 3)
            {
                data[i] = 0xFF; // the control word register is write-only
                continue;
            }
            lock (_lock)
                data[i] = _counters[port].Read(_clock.Now);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            ulong port = offset + (ulong)i;
            if (port >= PortCount)
                continue;
            lock (_lock)
            {
                long now = _clock.Now;
                if (port == 3)
                    WriteControlLocked(data[i], now);
                else
                    _counters[port].Write(data[i], now);
                if (port is 0 or 3)
                    UpdateIrqLocked(now);
            }
        }
    }

    private void WriteControlLocked(byte value, long now)
    {
        int select = value >> 6;
        if (select == 3)
        {
            // Read-back: bits 3:1 select counters 2:0; bit 5 = 0 latches counts, bit 4 = 0 statuses.
            for (int c = 0; c < 3; c++)
            {
                if ((value & (2 << c)) == 0)
                    continue;
                if ((value & 0x20) == 0)
                    _counters[c].LatchCount(now);
                if ((value & 0x10) == 0)
                    _counters[c].LatchStatus(now);
            }
            return;
        }
        if ((value & 0x30) == 0)
            _counters[select].LatchCount(now);
        else
            _counters[select].WriteControl(value, now);
    }

    // Counter 0 changed: the line takes OUT's level now and the next edge is armed.
    private void UpdateIrqLocked(long now)
    {
        PitCounter counter = _counters[0];
        SetLineLocked(counter.Output(now));
        if (counter.NextEdge(now, s_minimumClocks, out long at, out bool rise, out bool pulse))
        {
            _edgeDeadline = at;
            _edgeRise = rise;
            _edgePulse = pulse;
            _timer.Arm(at);
        }
        else if (_edgeDeadline != 0)
        {
            _edgeDeadline = 0;
            _timer.Cancel();
        }
    }

    private void OnEdge(long deadline)
    {
        lock (_lock)
        {
            if (deadline != _edgeDeadline)
                return; // re-programmed since
            _edgeDeadline = 0;
            if (_edgePulse)
                SetLineLocked(false);
            SetLineLocked(_edgeRise);
            long now = Math.Max(_clock.Now, deadline);
            PitCounter counter = _counters[0];
            if (counter.NextEdge(now, s_minimumClocks, out long at, out bool rise, out bool pulse))
            {
                _edgeDeadline = at;
                _edgeRise = rise;
                _edgePulse = pulse;
                _timer.Arm(at);
            }
        }
    }

    private void SetLineLocked(bool level)
    {
        if (level == _irqLevel)
            return;
        _irqLevel = level;
        _irq0.Set(level);
    }
}
