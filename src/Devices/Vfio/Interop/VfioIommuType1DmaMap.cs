using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_iommu_type1_dma_map (VFIO_IOMMU_MAP_DMA): map [vaddr, +size) of this process at IOVA iova.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DmaMap
{
    public uint Argsz;
    public uint Flags;
    public ulong Vaddr;
    public ulong Iova;
    public ulong Size;

    /// <summary>VFIO_DMA_MAP_FLAG_READ: the device may read.</summary>
    public const uint FlagRead = 1 << 0;

    /// <summary>VFIO_DMA_MAP_FLAG_WRITE: the device may write.</summary>
    public const uint FlagWrite = 1 << 1;
}
