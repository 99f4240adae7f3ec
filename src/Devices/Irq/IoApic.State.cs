using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The redirection table, the input levels, the index register and the ID in
// the migration stream. A load delivers nothing: a pin that was waiting for
// its EOI (remote IRR) still is, and the local APICs carry what they had
// accepted.
public sealed partial class IoApic : IMigratable
{
    private const ulong EntryBits = EntryLowWritable | RemoteIrr | 0xFFFF_0000_0000_0000;

    public void SaveState(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteU64Array("redirection-table", _entries);
            state.WriteU32("input-levels", _levels);
            state.WriteU8("register-select", _select);
            state.WriteU8("id", _id);
        }
    }

    public void LoadState(StateReader state)
    {
        Span<ulong> entries = stackalloc ulong[PinCount];
        state.ReadU64Array("redirection-table", entries);
        for (int pin = 0; pin < PinCount; pin++)
        {
            if ((entries[pin] & ~EntryBits) != 0)
                throw new MigrationException($"{state.Section}: redirection entry {pin} (0x{entries[pin]:x16}) sets reserved bits");
        }
        uint levels = state.ReadU32("input-levels", (1u << PinCount) - 1);
        byte select = state.ReadU8("register-select");
        byte id = state.ReadU8("id", 0xF);
        state.EnsureAllRead();
        lock (_lock)
        {
            entries.CopyTo(_entries);
            _levels = levels;
            _select = select;
            _id = id;
        }
    }
}
