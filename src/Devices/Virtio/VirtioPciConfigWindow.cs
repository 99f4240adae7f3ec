using Emu.Core.Pci;

namespace Emu.Devices.Virtio;

/// <summary>
/// VIRTIO_PCI_CAP_PCI_CFG (virtio 1.2 section 4.1.4.9): a window onto the
/// register BAR through config space, for drivers that cannot map BARs. The
/// driver writes the BAR, an offset and a length (1, 2 or 4, naturally
/// aligned) into the capability, then reads or writes pci_cfg_data, and the
/// device performs that access on the BAR. Layout: struct virtio_pci_cap
/// (16 bytes; bar at +4, offset at +8, length at +12) then pci_cfg_data at +16.
/// The BAR access itself is made by the transport outside the function's
/// config lock (<see cref="PciDevice.BeforeConfigRead"/>,
/// <see cref="PciDevice.AfterConfigWrite"/>): it reaches the device model,
/// whose locks come before the config lock's INTx lock, never after the config lock.
/// </summary>
internal sealed class VirtioPciConfigWindow
{
    private const int BarOffset = 4, OffsetOffset = 8, LengthOffset = 12, DataOffset = 16;

    public VirtioPciConfigWindow(int capability, int bar, ulong barSize)
    {
        Capability = capability;
        Bar = bar;
        BarSize = barSize;
    }

    /// <summary>Offset of the capability in config space.</summary>
    public int Capability { get; }

    /// <summary>The only BAR the window reaches (the register BAR).</summary>
    public int Bar { get; }

    public ulong BarSize { get; }

    /// <summary>The offset of pci_cfg_data in config space.</summary>
    public int Data => Capability + DataOffset;

    /// <summary>Marks the driver's fields writable (called once, at realize).</summary>
    public void Install(PciConfigSpace config)
    {
        config.SetWritable(Capability + BarOffset, 1, 0xFF);
        config.SetWritable(Capability + OffsetOffset, 4, 0xFFFF_FFFF);
        config.SetWritable(Capability + LengthOffset, 4, 0xFFFF_FFFF);
        config.SetWritable(Capability + DataOffset, 4, 0xFFFF_FFFF);
    }

    /// <summary>Whether a config access [offset, +length) touches pci_cfg_data.</summary>
    public bool TouchesData(int offset, int length) => offset < Data + 4 && offset + length > Data;

    /// <summary>
    /// The access the window describes now: an offset in the BAR and a length
    /// of 1, 2 or 4 bytes, naturally aligned and inside the BAR (4.1.4.9.1);
    /// false for anything else, which the device ignores. Config lock held.
    /// </summary>
    public bool TryDecode(PciConfigSpace config, out ulong barOffset, out int size)
    {
        barOffset = config.GetDword(Capability + OffsetOffset);
        uint length = config.GetDword(Capability + LengthOffset);
        size = (int)length;
        return config.GetByte(Capability + BarOffset) == Bar && length is 1 or 2 or 4
            && (barOffset & (length - 1)) == 0 && barOffset + length <= BarSize;
    }
}
