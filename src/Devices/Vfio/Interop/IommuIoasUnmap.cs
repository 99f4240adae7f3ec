using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct iommu_ioas_unmap (IOMMU_IOAS_UNMAP).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IommuIoasUnmap
{
    public uint Size;
    public uint IoasId;
    public ulong Iova;
    public ulong Length;
}
