using System.Runtime.InteropServices;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

// The region capability chain as the kernel lays it out, and as a confused
// driver might: nothing read out of bounds, no endless loop, areas outside
// the region dropped.
public sealed unsafe class VfioRegionInfoParserTests
{
    private static byte[] Info(ulong size, uint flags, uint capOffset, int total)
    {
        byte[] b = new byte[total];
        var info = new VfioRegionInfo { Argsz = (uint)total, Flags = flags, Index = 0, CapOffset = capOffset, Size = size, Offset = 0x1000 };
        MemoryMarshal.Write(b, in info);
        return b;
    }

    private static void Cap(byte[] b, int at, ushort id, uint next) =>
        MemoryMarshal.Write(b.AsSpan(at), new VfioInfoCapHeader { Id = id, Version = 1, Next = next });

    [Fact]
    public void Sparse_areas_and_msix_mappable_are_read_from_the_chain()
    {
        int first = sizeof(VfioRegionInfo);
        int second = first + sizeof(VfioRegionInfoCapSparseMmap) + 2 * 16;
        byte[] b = Info(0x4000, VfioRegionInfo.FlagCaps | VfioRegionInfo.FlagMmap | VfioRegionInfo.FlagRead, (uint)first, second + 8);
        MemoryMarshal.Write(b.AsSpan(first), new VfioRegionInfoCapSparseMmap { Header = new VfioInfoCapHeader { Id = 1, Version = 1, Next = (uint)second }, NrAreas = 2 });
        MemoryMarshal.Write(b.AsSpan(first + 16), new VfioRegionSparseMmapArea { Offset = 0, Size = 0x2000 });
        MemoryMarshal.Write(b.AsSpan(first + 32), new VfioRegionSparseMmapArea { Offset = 0x3000, Size = 0x1000 });
        Cap(b, second, VfioConstants.RegionInfoCapMsixMappable, 0);
        VfioRegion r = VfioRegionInfoParser.Parse(b);
        Assert.Equal(new[] { new VfioArea(0, 0x2000), new VfioArea(0x3000, 0x1000) }, r.MmapAreas);
        Assert.True(r.MsixMappable);
        Assert.Equal(0x1000ul, r.Offset);
    }

    [Fact]
    public void A_region_without_caps_is_mappable_whole_if_mmap_is_allowed()
    {
        Assert.Equal(new[] { new VfioArea(0, 0x4000) }, VfioRegionInfoParser.Parse(Info(0x4000, VfioRegionInfo.FlagMmap, 0, 32)).MmapAreas);
        Assert.Empty(VfioRegionInfoParser.Parse(Info(0x4000, 0, 0, 32)).MmapAreas);
    }

    [Fact]
    public void A_looping_or_out_of_bounds_chain_stops()
    {
        byte[] loop = Info(0x4000, VfioRegionInfo.FlagCaps | VfioRegionInfo.FlagMmap, 32, 48);
        Cap(loop, 32, 99, 32); // points at itself
        Assert.False(VfioRegionInfoParser.Parse(loop).MsixMappable);
        byte[] outside = Info(0x4000, VfioRegionInfo.FlagCaps, 4096, 40);
        Assert.Null(VfioRegionInfoParser.Parse(outside).SparseAreas);
    }

    [Fact]
    public void Sparse_areas_past_the_region_or_the_buffer_are_dropped()
    {
        int first = sizeof(VfioRegionInfo);
        byte[] b = Info(0x4000, VfioRegionInfo.FlagCaps | VfioRegionInfo.FlagMmap, (uint)first, first + 16 + 2 * 16);
        MemoryMarshal.Write(b.AsSpan(first), new VfioRegionInfoCapSparseMmap { Header = new VfioInfoCapHeader { Id = 1, Version = 1 }, NrAreas = 1000 });
        MemoryMarshal.Write(b.AsSpan(first + 16), new VfioRegionSparseMmapArea { Offset = 0x3000, Size = 0x2000 }); // runs past 0x4000
        MemoryMarshal.Write(b.AsSpan(first + 32), new VfioRegionSparseMmapArea { Offset = 0x1000, Size = 0x1000 });
        Assert.Equal(new[] { new VfioArea(0x1000, 0x1000) }, VfioRegionInfoParser.Parse(b).MmapAreas);
    }

    [Fact]
    public void A_buffer_shorter_than_the_struct_is_rejected() =>
        Assert.Throws<InvalidDataException>(() => VfioRegionInfoParser.Parse(new byte[8]));
}
