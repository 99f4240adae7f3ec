using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_iommu_type1_dirty_bitmap (VFIO_IOMMU_DIRTY_PAGES on a type1
/// container): START or STOP logging the pages devices may write, or
/// GET_BITMAP with a <see cref="VfioIommuType1DirtyBitmapGet"/> following.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DirtyBitmap
{
    public const uint FlagStart = 1 << 0;
    public const uint FlagStop = 1 << 1;
    public const uint FlagGetBitmap = 1 << 2;

    public uint Argsz;
    public uint Flags;
}
