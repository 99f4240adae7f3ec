using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_device_info (VFIO_DEVICE_GET_INFO).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceInfo
{
    public uint Argsz;
    public uint Flags;
    public uint NumRegions;
    public uint NumIrqs;
    public uint CapOffset;

    /// <summary>Explicit tail padding (named "pad" since Linux 6.7; the struct was always 24 bytes on x86-64).</summary>
    public uint Pad;

    /// <summary>VFIO_DEVICE_FLAGS_RESET: VFIO_DEVICE_RESET works (FLR, PM reset or a bus reset of this function alone).</summary>
    public const uint FlagReset = 1 << 0;

    /// <summary>VFIO_DEVICE_FLAGS_PCI.</summary>
    public const uint FlagPci = 1 << 1;
}
