using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_region_sparse_mmap_area: one mmappable window of a region.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioRegionSparseMmapArea
{
    public ulong Offset;
    public ulong Size;
}
