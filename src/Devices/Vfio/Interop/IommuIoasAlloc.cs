using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct iommu_ioas_alloc (IOMMU_IOAS_ALLOC): a new I/O address space in an iommufd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IommuIoasAlloc
{
    public uint Size;
    public uint Flags;
    public uint OutIoasId;
}
