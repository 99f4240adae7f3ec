using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_iommu_type1_dma_unmap without its data array (VFIO_IOMMU_UNMAP_DMA).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DmaUnmap
{
    public uint Argsz;
    public uint Flags;
    public ulong Iova;
    public ulong Size;
}
