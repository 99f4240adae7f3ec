using Emu.Core.Machines;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// An opened vfio-pci device: what VFIO_DEVICE_GET_INFO, _GET_REGION_INFO and
/// _GET_IRQ_INFO say about it, access to its regions through the device fd,
/// and reset. Owns the attachment (device fd, IOMMU domain membership).
/// </summary>
internal sealed class VfioDevice : IDisposable
{
    private readonly IVfioSystem _system;
    private readonly VfioAttachment _attachment;
    private readonly VfioRegion?[] _regions;
    private readonly VfioIrqInfo[] _irqs;

    public VfioDevice(IVfioSystem system, VfioAttachment attachment, string who)
    {
        _system = system;
        _attachment = attachment;
        VfioDeviceInfo info = system.GetDeviceInfo(attachment.Device);
        if ((info.Flags & VfioDeviceInfo.FlagPci) == 0)
            throw new MachineConfigurationException($"{who}: VFIO says this is not a PCI device");
        if (info.NumRegions <= VfioConstants.PciConfigRegionIndex)
            throw new MachineConfigurationException($"{who}: the device has {info.NumRegions} VFIO regions, too few for a PCI function (no config space region)");
        Flags = info.Flags;
        // BARs 0-5, the ROM and config space are all this model uses (VGA and
        // device-specific regions past them are not offered to the guest).
        _regions = new VfioRegion?[VfioConstants.PciConfigRegionIndex + 1];
        for (uint i = 0; i < _regions.Length; i++)
        {
            VfioRegion region = VfioRegionInfoParser.Parse(system.GetRegionInfo(attachment.Device, i));
            _regions[i] = region.Size == 0 ? null : region;
        }
        Config = _regions[VfioConstants.PciConfigRegionIndex]
            ?? throw new MachineConfigurationException($"{who}: the device's config space region is empty");
        _irqs = new VfioIrqInfo[Math.Min(info.NumIrqs, 5u)];
        for (uint i = 0; i < _irqs.Length; i++)
        {
            try
            {
                _irqs[i] = system.GetIrqInfo(attachment.Device, i);
            }
            catch (PosixException e) when (e.Errno == LibC.EINVAL)
            {
                // A driver may refuse an index it does not have although it counts
                // it (mdev drivers such as mtty have INTx and MSI, not MSI-X): none there.
                _irqs[i] = new VfioIrqInfo { Index = i };
            }
        }
    }

    public FileDescriptor Handle => _attachment.Device;

    public VfioAttachment Attachment => _attachment;

    public IVfioSystem System => _system;

    public uint Flags { get; }

    /// <summary>VFIO_DEVICE_FLAGS_RESET: the kernel can reset this function alone.</summary>
    public bool CanReset => (Flags & VfioDeviceInfo.FlagReset) != 0;

    public VfioRegion Config { get; }

    /// <summary>BAR <paramref name="index"/> (0-5) or the ROM (6), null when the device has none.</summary>
    public VfioRegion? Region(uint index) => index < _regions.Length ? _regions[index] : null;

    /// <summary>Number of interrupts at a VFIO IRQ index (INTx 0, MSI 1, MSI-X 2), 0 when absent.</summary>
    public uint IrqCount(uint index) => index < _irqs.Length && (_irqs[index].Flags & VfioIrqInfo.FlagEventfd) != 0 ? _irqs[index].Count : 0;

    /// <summary>Reads config space; 0 or the errno. Allocation-free.</summary>
    public int ReadConfig(int offset, Span<byte> data) => _system.Read(Handle, data, (long)Config.Offset + offset);

    public int WriteConfig(int offset, ReadOnlySpan<byte> data) => _system.Write(Handle, data, (long)Config.Offset + offset);

    /// <summary>VFIO_DEVICE_RESET when the device supports it; false otherwise.</summary>
    public bool TryReset()
    {
        if (!CanReset)
            return false;
        try
        {
            _system.ResetDevice(Handle);
            return true;
        }
        catch (PosixException)
        {
            return false;
        }
    }

    public void Dispose() => _attachment.Dispose();
}
