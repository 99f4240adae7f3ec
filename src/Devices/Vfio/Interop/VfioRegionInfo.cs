using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_region_info (VFIO_DEVICE_GET_REGION_INFO): where region
/// <see cref="Index"/> lives in the device fd's offset space, and how it may be
/// accessed. When the capability chain does not fit, the kernel raises
/// <see cref="Argsz"/> to the size needed and the call is repeated.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioRegionInfo
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint CapOffset;
    public ulong Size;
    public ulong Offset;

    public const uint FlagRead = 1 << 0;
    public const uint FlagWrite = 1 << 1;
    public const uint FlagMmap = 1 << 2;
    public const uint FlagCaps = 1 << 3;
}
