using Emu.Core.Migration;

namespace Emu.Core.Pci;

// The MSI-X table and pending bits live in a BAR, not in config space: they
// are saved here. A loaded table is checked as guest writes would be (dword
// aligned addresses, only the mask bit in vector control); after the load
// every vector's route is made again.
public sealed partial class MsixCapability
{
    protected internal override void SaveState(StateWriter state, string prefix)
    {
        lock (_lock)
        {
            state.WriteU32Array(prefix + "table", _table);
            state.WriteU64Array(prefix + "pba", _pending);
        }
    }

    protected internal override void LoadState(StateReader state, string prefix)
    {
        uint[] table = new uint[_table.Length];
        ulong[] pending = new ulong[_pending.Length];
        state.ReadU32Array(prefix + "table", table);
        state.ReadU64Array(prefix + "pba", pending);
        for (int v = 0; v < VectorCount; v++)
        {
            if ((table[v * 4] & 3) != 0 || (table[v * 4 + 3] & ~VectorMasked) != 0)
                throw new MigrationException($"{state.Section}: MSI-X entry {v} has reserved bits set");
        }
        if (VectorCount % 64 != 0 && (pending[^1] >> (VectorCount % 64)) != 0)
            throw new MigrationException($"{state.Section}: MSI-X pending bits beyond vector {VectorCount - 1}");
        lock (_lock)
        {
            table.CopyTo(_table, 0);
            pending.CopyTo(_pending, 0);
        }
    }

    protected internal override void PostLoad(PciConfigSpace config)
    {
        ushort control = config.GetWord(Offset + ControlOffset);
        lock (_lock)
        {
            _enabled = (control & ControlEnable) != 0;
            _functionMasked = (control & ControlFunctionMask) != 0;
            for (int v = 0; v < VectorCount; v++)
                SyncVector(v);
            VectorChanged?.Invoke(-1);
        }
    }
}
