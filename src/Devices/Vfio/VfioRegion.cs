using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// One region of a VFIO device (a BAR, the ROM, config space) as
/// VFIO_DEVICE_GET_REGION_INFO describes it, capability chain included:
/// where it lives in the device fd, its size, how it may be accessed, which
/// parts may be mmapped (the sparse mmap capability) and whether the MSI-X
/// table inside it may be mmapped too.
/// </summary>
internal sealed class VfioRegion
{
    public VfioRegion(uint index, uint flags, ulong size, ulong offset, IReadOnlyList<VfioArea>? sparseAreas, bool msixMappable)
    {
        Index = index;
        Flags = flags;
        Size = size;
        Offset = offset;
        SparseAreas = sparseAreas;
        MsixMappable = msixMappable;
    }

    public uint Index { get; }

    public uint Flags { get; }

    public ulong Size { get; }

    /// <summary>Where the region starts in the device fd's offset space (for pread, pwrite, mmap).</summary>
    public ulong Offset { get; }

    public bool CanRead => (Flags & VfioRegionInfo.FlagRead) != 0;

    public bool CanWrite => (Flags & VfioRegionInfo.FlagWrite) != 0;

    public bool CanMmap => (Flags & VfioRegionInfo.FlagMmap) != 0;

    /// <summary>The mmappable areas when the region has a sparse mmap capability; null when all of it may be mapped.</summary>
    public IReadOnlyList<VfioArea>? SparseAreas { get; }

    /// <summary>VFIO_REGION_INFO_CAP_MSIX_MAPPABLE: the kernel lets the MSI-X table page be mmapped.</summary>
    public bool MsixMappable { get; }

    /// <summary>The areas the kernel allows to be mmapped (none when the region is not mmappable).</summary>
    public IReadOnlyList<VfioArea> MmapAreas =>
        !CanMmap ? Array.Empty<VfioArea>() : SparseAreas ?? new[] { new VfioArea(0, Size) };
}
