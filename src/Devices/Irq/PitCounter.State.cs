using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// One counter in the migration stream. The time counting started is saved
// as how long ago it was (the clocks of the two hosts have nothing in
// common), so the count goes on where it was when the guest stopped.
internal sealed partial class PitCounter
{
    public void Save(StateWriter state, string prefix, long now)
    {
        state.WriteU8(prefix + "mode-bits", (byte)_modeBits);
        state.WriteBool(prefix + "bcd", _bcd);
        state.WriteU8(prefix + "access", (byte)_access);
        state.WriteU32(prefix + "count", (uint)_count);
        state.WriteBool(prefix + "loaded", _loaded);
        state.WriteBool(prefix + "counting", _counting);
        state.WriteBool(prefix + "triggered", _triggered);
        state.WriteI64(prefix + "started-ns-ago", now - _startNs);
        state.WriteI64(prefix + "elapsed-at-start", _elapsedAtStart);
        state.WriteBool(prefix + "null-count", _nullCount);
        state.WriteBool(prefix + "gate", _gate);
        state.WriteBool(prefix + "write-high", _writeHigh);
        state.WriteU8(prefix + "write-low", _writeLow);
        state.WriteBool(prefix + "read-high", _readHigh);
        state.WriteBool(prefix + "count-latched", _countLatched);
        state.WriteU16(prefix + "latched-count", _latchedCount);
        state.WriteBool(prefix + "latched-high", _latchedHigh);
        state.WriteBool(prefix + "status-latched", _statusLatched);
        state.WriteU8(prefix + "latched-status", _latchedStatus);
    }

    public void Load(StateReader state, string prefix, long now)
    {
        _modeBits = state.ReadU8(prefix + "mode-bits", 7);
        _mode = _modeBits > 5 ? _modeBits - 4 : _modeBits;
        _bcd = state.ReadBool(prefix + "bcd");
        byte access = state.ReadU8(prefix + "access", 3);
        if (access == 0)
            throw new MigrationException($"{state.Section}: {prefix}access 0 is the latch command, not an access mode");
        _access = access;
        uint count = state.ReadU32(prefix + "count");
        if (count == 0 || count > (_bcd ? 10000u : 65536u))
            throw new MigrationException($"{state.Section}: {prefix}count {count} is outside 1-{(_bcd ? 10000 : 65536)}");
        _count = (int)count;
        _loaded = state.ReadBool(prefix + "loaded");
        _counting = state.ReadBool(prefix + "counting");
        _triggered = state.ReadBool(prefix + "triggered");
        long ago = state.ReadI64(prefix + "started-ns-ago");
        long elapsed = state.ReadI64(prefix + "elapsed-at-start");
        // At most a day of clocks: anything beyond is garbage (the arithmetic would overflow).
        const long Day = 86_400_000_000_000;
        if (ago is < 0 or > Day || elapsed < 0 || elapsed > Day / 1000)
            throw new MigrationException($"{state.Section}: {prefix}started-ns-ago {ago} / elapsed-at-start {elapsed} are out of range");
        _startNs = now - ago;
        _elapsedAtStart = elapsed;
        _nullCount = state.ReadBool(prefix + "null-count");
        _gate = state.ReadBool(prefix + "gate");
        _writeHigh = state.ReadBool(prefix + "write-high");
        _writeLow = state.ReadU8(prefix + "write-low");
        _readHigh = state.ReadBool(prefix + "read-high");
        _countLatched = state.ReadBool(prefix + "count-latched");
        _latchedCount = state.ReadU16(prefix + "latched-count");
        _latchedHigh = state.ReadBool(prefix + "latched-high");
        _statusLatched = state.ReadBool(prefix + "status-latched");
        _latchedStatus = state.ReadU8(prefix + "latched-status");
    }
}
