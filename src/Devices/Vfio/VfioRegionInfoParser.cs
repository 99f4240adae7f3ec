using System.Runtime.CompilerServices;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// Turns the buffer VFIO_DEVICE_GET_REGION_INFO filled into a
/// <see cref="VfioRegion"/>. The capability chain (&lt;linux/vfio.h&gt;,
/// struct vfio_info_cap_header) is walked with every offset checked against
/// the buffer, a bound on the number of links, and areas that do not fit the
/// region dropped: a confused kernel driver cannot make the VMM read out of bounds or loop.
/// </summary>
internal static unsafe class VfioRegionInfoParser
{
    private const int MaxCapabilities = 64;

    public static VfioRegion Parse(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < sizeof(VfioRegionInfo))
            throw new InvalidDataException($"region info of {buffer.Length} bytes is shorter than struct vfio_region_info");
        VfioRegionInfo info = Unsafe.ReadUnaligned<VfioRegionInfo>(ref Unsafe.AsRef(in buffer[0]));
        List<VfioArea>? sparse = null;
        bool msixMappable = false;
        if ((info.Flags & VfioRegionInfo.FlagCaps) != 0)
        {
            uint next = info.CapOffset;
            for (int links = 0; next != 0 && links < MaxCapabilities; links++)
            {
                if (next < (uint)sizeof(VfioRegionInfo) || next > (uint)buffer.Length - (uint)sizeof(VfioInfoCapHeader))
                    break;
                VfioInfoCapHeader header = Unsafe.ReadUnaligned<VfioInfoCapHeader>(ref Unsafe.AsRef(in buffer[(int)next]));
                switch (header.Id)
                {
                    case VfioConstants.RegionInfoCapSparseMmap:
                        sparse = ParseSparse(buffer, (int)next, info.Size);
                        break;
                    case VfioConstants.RegionInfoCapMsixMappable:
                        msixMappable = true;
                        break;
                }
                if (header.Next != 0 && header.Next <= next)
                    break; // chains only go forward
                next = header.Next;
            }
        }
        return new VfioRegion(info.Index, info.Flags, info.Size, info.Offset, sparse, msixMappable);
    }

    private static List<VfioArea> ParseSparse(ReadOnlySpan<byte> buffer, int at, ulong regionSize)
    {
        var areas = new List<VfioArea>();
        if (at > buffer.Length - sizeof(VfioRegionInfoCapSparseMmap))
            return areas;
        VfioRegionInfoCapSparseMmap cap = Unsafe.ReadUnaligned<VfioRegionInfoCapSparseMmap>(ref Unsafe.AsRef(in buffer[at]));
        int first = at + sizeof(VfioRegionInfoCapSparseMmap);
        long fit = (buffer.Length - first) / sizeof(VfioRegionSparseMmapArea);
        long count = Math.Min(cap.NrAreas, fit);
        for (int i = 0; i < count; i++)
        {
            VfioRegionSparseMmapArea a = Unsafe.ReadUnaligned<VfioRegionSparseMmapArea>(ref Unsafe.AsRef(in buffer[first + i * sizeof(VfioRegionSparseMmapArea)]));
            if (a.Size == 0 || a.Offset > regionSize || a.Size > regionSize - a.Offset)
                continue;
            areas.Add(new VfioArea(a.Offset, a.Size));
        }
        return areas;
    }
}
