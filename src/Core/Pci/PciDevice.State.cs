using Emu.Core.Migration;

namespace Emu.Core.Pci;

// A function's configuration space in the migration stream, with its
// capabilities' own state (the MSI-X table) and the INTx level. A device type
// that can migrate overrides MigrationBlocker and calls these from its own
// SaveState/LoadState/PostLoad.
//
// The stream's config bytes are taken only where the guest could have put
// them (the writable and write-one-to-clear bits); everything else must
// match this build's function: the identity (vendor, device, class,
// revision, subsystem), the header type, the interrupt pin and the
// capability chain. A mismatch means the destination was started with a
// different device there, and is refused with both values in the message.
public abstract partial class PciDevice
{
    private static readonly (int Offset, int Length, string What)[] s_identity =
    [
        (PciRegisters.VendorId, 4, "vendor/device ID"),
        (PciRegisters.RevisionId, 4, "revision and class"),
        (PciRegisters.HeaderType, 1, "header type"),
        (PciRegisters.SubsystemVendorId, 4, "subsystem ID"),
        (PciRegisters.CapabilitiesPointer, 1, "capability pointer"),
        (PciRegisters.InterruptPin, 1, "interrupt pin"),
    ];

    public override void SaveState(StateWriter state)
    {
        lock (ConfigLock)
        {
            state.WriteBytes("pci.config", Config.Bytes);
            state.WriteBool("pci.intx", _intxLevel);
            foreach (PciCapability capability in _capabilities)
                capability.SaveState(state, $"pci.cap@{capability.Offset:x}.");
        }
    }

    public override void LoadState(StateReader state)
    {
        ReadOnlySpan<byte> saved = state.ReadBytes("pci.config");
        if (saved.Length != Config.Size)
            throw new MigrationException($"{MigrationName}: the stream has {saved.Length} bytes of config space, this function has {Config.Size}");
        lock (ConfigLock)
        {
            foreach ((int offset, int length, string what) in s_identity)
            {
                if (!saved.Slice(offset, length).SequenceEqual(Config.Bytes.Slice(offset, length)))
                    throw new MigrationException($"{MigrationName}: the {what} in the stream ({Hex(saved.Slice(offset, length))}) differs from this function's ({Hex(Config.Bytes.Slice(offset, length))}): the destination has another device here");
            }
            CheckCapabilityChain(saved);
            Config.LoadGuestBits(saved);
            lock (_intxLock)
                _intxLevel = state.ReadBool("pci.intx");
            foreach (PciCapability capability in _capabilities)
                capability.LoadState(state, $"pci.cap@{capability.Offset:x}.");
        }
    }

    /// <summary>BARs mapped where the loaded config puts them, capabilities' interrupt routes made again, INTx as saved.</summary>
    public override void PostLoad()
    {
        lock (ConfigLock)
        {
            UpdateBarMappings();
            foreach (PciCapability capability in _capabilities)
                capability.PostLoad(Config);
            UpdateIntxDisable(); // the loaded command register's interrupt-disable bit, then the pin as saved
        }
    }

    // The capability IDs and their chain are the function's shape: they must be the same.
    private void CheckCapabilityChain(ReadOnlySpan<byte> saved)
    {
        int here = Config.GetByte(PciRegisters.CapabilitiesPointer) & 0xFC;
        for (int hops = 0; here >= PciRegisters.FirstCapability && here < 0xFF && hops < 48; hops++)
        {
            if (saved[here] != Config.GetByte(here) || saved[here + 1] != Config.GetByte(here + 1))
                throw new MigrationException($"{MigrationName}: the capability at config offset 0x{here:x2} is 0x{saved[here]:x2} in the stream and 0x{Config.GetByte(here):x2} here");
            here = Config.GetByte(here + 1) & 0xFC;
        }
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
