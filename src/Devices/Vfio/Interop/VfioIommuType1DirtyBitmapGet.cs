using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_iommu_type1_dirty_bitmap_get: the IOVA range (whole mappings) whose dirty bits to fetch and clear.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DirtyBitmapGet
{
    public ulong Iova;
    public ulong Size;
    public VfioBitmap Bitmap;
}
