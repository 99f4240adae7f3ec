namespace Emu.Devices.Irq;

/// <summary>
/// One counter of an 8254 (Intel 8254 datasheet), run under the
/// <see cref="Pit8254"/>'s lock. The count is not decremented by anyone: the
/// number of input clocks since counting began is computed from the time, and
/// the counter value and OUT follow from it and the mode:
/// <list type="bullet">
/// <item>0, interrupt on terminal count: OUT low until N clocks, then high; the count wraps on.</item>
/// <item>1, hardware one-shot: a gate rising edge starts it; OUT low for N clocks.</item>
/// <item>2, rate generator: OUT high, low for one clock when the count reaches 1, every N clocks.</item>
/// <item>3, square wave: OUT high for ceil(N/2) clocks, low for floor(N/2), counting down by 2.</item>
/// <item>4, software strobe: OUT high, low for one clock at terminal count.</item>
/// <item>5, hardware strobe: as 4, started by a gate rising edge.</item>
/// </list>
/// Gate low suspends counting in modes 0, 2, 3 and 4 (and holds OUT high in 2
/// and 3); a rising edge restarts modes 1, 2, 3 and 5 from N. A count of 0 is
/// 65536 (10000 in BCD).
///
/// Simplifications: counting starts when the count is written, not on the
/// next clock; a new count written in modes 1, 2, 3 and 5 takes effect at
/// once instead of at the end of the current period.
/// </summary>
internal sealed partial class PitCounter
{
    public const long Frequency = 1_193_182;

    private int _mode;
    private int _modeBits; // as written, for the status byte (6 and 7 mean 2 and 3)
    private bool _bcd;
    private int _access;   // 1 LSB only, 2 MSB only, 3 LSB then MSB
    private int _count;    // N, 1..65536 (1..10000 in BCD)
    private bool _loaded;  // a count was written since the control word
    private bool _counting;
    private bool _triggered; // modes 1 and 5: a gate edge started the count
    private long _startNs;
    private long _elapsedAtStart; // clocks counted before _startNs
    private bool _nullCount;
    private bool _gate;
    private bool _writeHigh;
    private byte _writeLow;
    private bool _readHigh;
    private bool _countLatched;
    private ushort _latchedCount;
    private bool _latchedHigh;
    private bool _statusLatched;
    private byte _latchedStatus;

    public int Mode => _mode;

    public bool Gate => _gate;

    /// <summary>Power-on as QEMU leaves it: mode 3, count 65536, binary, LSB then MSB, counting while the gate is high.</summary>
    public void Reset(bool gate, long now)
    {
        WriteControl(0x36, now);
        _gate = gate;
        Load(0, now);
    }

    public void WriteControl(byte value, long now)
    {
        _access = (value >> 4) & 3;
        _modeBits = (value >> 1) & 7;
        _mode = _modeBits > 5 ? _modeBits - 4 : _modeBits;
        _bcd = (value & 1) != 0;
        _loaded = false;
        _counting = false;
        _triggered = false;
        _nullCount = true;
        _writeHigh = false;
        _readHigh = false;
        _countLatched = false;
        _statusLatched = false;
    }

    /// <summary>The counter latch command: the count is held until read (a second latch before then is ignored).</summary>
    public void LatchCount(long now)
    {
        if (_countLatched)
            return;
        _countLatched = true;
        _latchedHigh = false;
        _latchedCount = Value(now);
    }

    /// <summary>Read-back's status latch: OUT (7), null count (6), RW (5:4), mode (3:1), BCD (0).</summary>
    public void LatchStatus(long now)
    {
        if (_statusLatched)
            return;
        _statusLatched = true;
        _latchedStatus = (byte)((Output(now) ? 0x80 : 0) | (_nullCount ? 0x40 : 0) | (_access << 4) | (_modeBits << 1) | (_bcd ? 1 : 0));
    }

    public byte Read(long now)
    {
        if (_statusLatched)
        {
            _statusLatched = false;
            return _latchedStatus;
        }
        if (_countLatched)
        {
            byte b;
            switch (_access)
            {
                case 1:
                    b = (byte)_latchedCount;
                    _countLatched = false;
                    return b;
                case 2:
                    b = (byte)(_latchedCount >> 8);
                    _countLatched = false;
                    return b;
                default:
                    if (!_latchedHigh)
                    {
                        _latchedHigh = true;
                        return (byte)_latchedCount;
                    }
                    _countLatched = false;
                    return (byte)(_latchedCount >> 8);
            }
        }
        ushort value = Value(now);
        switch (_access)
        {
            case 1:
                return (byte)value;
            case 2:
                return (byte)(value >> 8);
            default:
                _readHigh = !_readHigh;
                return _readHigh ? (byte)value : (byte)(value >> 8);
        }
    }

    public void Write(byte value, long now)
    {
        switch (_access)
        {
            case 1:
                Load(value, now);
                return;
            case 2:
                Load(value << 8, now);
                return;
            default:
                if (!_writeHigh)
                {
                    _writeHigh = true;
                    _writeLow = value;
                    if (_mode == 0)
                    {
                        // Mode 0: the first byte stops the count and OUT goes low at once.
                        _loaded = false;
                        _counting = false;
                    }
                    return;
                }
                _writeHigh = false;
                Load(_writeLow | (value << 8), now);
                return;
        }
    }

    public void SetGate(bool gate, long now)
    {
        if (gate == _gate)
            return;
        _gate = gate;
        if (!_loaded)
            return;
        if (gate)
        {
            switch (_mode)
            {
                case 0 or 4: // counting resumes where it stopped
                    if (!_counting)
                    {
                        _startNs = now;
                        _counting = true;
                    }
                    break;
                case 1 or 5: // trigger
                    _triggered = true;
                    _nullCount = false;
                    Start(now);
                    break;
                default: // 2, 3: a rising edge reloads N
                    Start(now);
                    break;
            }
        }
        else if (_mode is not (1 or 5) && _counting)
        {
            _elapsedAtStart = Elapsed(now);
            _counting = false;
        }
    }

    public bool Output(long now)
    {
        if (!_loaded)
            return _mode != 0; // the control word sets OUT low in mode 0, high otherwise
        long d = Elapsed(now);
        long n = _count;
        return _mode switch
        {
            0 => d >= n,
            1 => !_triggered || d >= n,
            2 => !_counting || n == 1 || d % n != n - 1,
            3 => !_counting || d % n < (n + 1) / 2,
            4 => d != n,
            _ => !_triggered || d != n,
        };
    }

    /// <summary>
    /// The next change of OUT that must reach the interrupt line, after now:
    /// its time and whether OUT rises (else falls); <paramref name="pulse"/>
    /// when the low phase is a single clock, delivered as a fall and a rise
    /// together. Edges closer than <paramref name="minimumClocks"/> are merged
    /// into periodic pulses at least that far apart. False when OUT will not
    /// change by itself.
    /// </summary>
    public bool NextEdge(long now, long minimumClocks, out long atNs, out bool rise, out bool pulse)
    {
        atNs = 0;
        rise = true;
        pulse = true;
        if (!_loaded || !_counting)
            return false;
        long d = Elapsed(now);
        long n = _count;
        long target;
        switch (_mode)
        {
            case 0:
            case 1:
                if (d >= n || (_mode == 1 && !_triggered))
                    return false;
                target = n;
                pulse = false;
                break;
            case 2:
                target = PeriodBoundaryAfter(n < minimumClocks ? d + minimumClocks : d, n);
                break;
            case 3:
                if (n < 2 * minimumClocks)
                {
                    target = PeriodBoundaryAfter(n < minimumClocks ? d + minimumClocks : d, n);
                    break;
                }
                long phase = d % n, half = (n + 1) / 2;
                pulse = false;
                rise = phase >= half;
                target = d - phase + (rise ? n : half);
                break;
            default: // 4, 5: one clock low at N, high again at N + 1
                if (d > n || (_mode == 5 && !_triggered))
                    return false;
                target = n + 1;
                break;
        }
        atNs = TimeOfClock(target);
        return true;
    }

    private static long PeriodBoundaryAfter(long d, long n) => (d / n + 1) * n;

    // The counter as it reads: N minus the clocks counted, per mode.
    private ushort Value(long now)
    {
        int modulus = _bcd ? 10000 : 65536;
        long n = _count;
        long d = _loaded ? Elapsed(now) : 0;
        long value = _mode switch
        {
            2 => n - d % n,
            3 => n - 2 * d % n,
            1 or 5 when !_triggered => n,
            _ => ((n - d) % modulus + modulus) % modulus,
        };
        value %= modulus;
        return _bcd ? ToBcd((int)value) : (ushort)value;
    }

    private void Load(int raw, long now)
    {
        int modulus = _bcd ? 10000 : 65536;
        int n = _bcd ? FromBcd(raw) : raw;
        _count = n == 0 || n > modulus ? modulus : n;
        _loaded = true;
        if (_mode is 1 or 5)
        {
            // Loaded now; counting waits for a gate rising edge.
            if (!_triggered)
                _nullCount = true;
            return;
        }
        _nullCount = false;
        _elapsedAtStart = 0;
        _startNs = now;
        _counting = _gate;
    }

    private void Start(long now)
    {
        _elapsedAtStart = 0;
        _startNs = now;
        _counting = true;
    }

    private long Elapsed(long now)
    {
        if (!_counting)
            return _elapsedAtStart;
        long ns = Math.Max(0, now - _startNs);
        return _elapsedAtStart + (long)((Int128)ns * Frequency / 1_000_000_000);
    }

    // The first time at which Elapsed reaches the clock count.
    private long TimeOfClock(long clocks)
    {
        long after = clocks - _elapsedAtStart;
        return _startNs + (long)(((Int128)after * 1_000_000_000 + Frequency - 1) / Frequency);
    }

    private static int FromBcd(int raw) =>
        ((raw >> 12) & 0xF) * 1000 + ((raw >> 8) & 0xF) * 100 + ((raw >> 4) & 0xF) * 10 + (raw & 0xF);

    private static ushort ToBcd(int value) =>
        (ushort)(((value / 1000 % 10) << 12) | ((value / 100 % 10) << 8) | ((value / 10 % 10) << 4) | (value % 10));
}
