using Emu.Core.Migration;

namespace Emu.Core.Pci;

// MSI's registers are in config space, but the pending bits are the
// device's (read-only to the guest), so they are saved here; after a load
// the vectors' routes are made again from the registers.
public sealed partial class MsiCapability
{
    private uint ValidVectors => VectorCount == 32 ? 0xFFFF_FFFF : (1u << VectorCount) - 1;

    protected internal override void SaveState(StateWriter state, string prefix) => state.WriteU32(prefix + "pending", _pendingBits);

    protected internal override void LoadState(StateReader state, string prefix)
    {
        uint pending = state.ReadU32(prefix + "pending");
        if ((pending & ~ValidVectors) != 0)
            throw new MigrationException($"{state.Section}: MSI pending bits 0x{pending:x} beyond the {VectorCount} vectors");
        _pendingBits = pending;
    }

    protected internal override void PostLoad(PciConfigSpace config)
    {
        // The mask as it is now, so that nothing counts as newly unmasked (nothing fires).
        _mask = config.GetDword(Offset + MaskOffset);
        ConfigWritten(config, Offset, Length);
    }
}
