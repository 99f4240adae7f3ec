using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_region_info_cap_sparse_mmap without its flexible array:
/// <see cref="NrAreas"/> <see cref="VfioRegionSparseMmapArea"/>s follow it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioRegionInfoCapSparseMmap
{
    public VfioInfoCapHeader Header;
    public uint NrAreas;
    public uint Reserved;
}
