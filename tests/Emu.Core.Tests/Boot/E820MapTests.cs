using Emu.Core.Boot;

namespace Emu.Core.Tests.Boot;

public sealed class E820MapTests
{
    [Fact]
    public void EntriesAreKeptInAddressOrder()
    {
        var map = new E820Map()
            .Add(0x10_0000, 0x100_0000, E820Type.Ram)
            .Add(0, 0x9_FC00, E820Type.Ram)
            .Add(0x9_FC00, 0x400, E820Type.Reserved);
        Assert.Equal(new ulong[] { 0, 0x9_FC00, 0x10_0000 }, map.Entries.Select(e => e.Address));
        Assert.Equal(0x9_FC00UL + 0x100_0000, map.RamSize);
    }

    [Fact]
    public void OverlapsAndEmptyRangesAreRefused()
    {
        var map = new E820Map().Add(0x1000, 0x1000, E820Type.Ram);
        Assert.Throws<InvalidOperationException>(() => map.Add(0x1FFF, 0x10, E820Type.Reserved));
        Assert.Throws<InvalidOperationException>(() => map.Add(0x0, 0x1001, E820Type.Reserved));
        Assert.Throws<ArgumentException>(() => map.Add(0x5000, 0, E820Type.Ram));
        Assert.Throws<ArgumentException>(() => map.Add(ulong.MaxValue - 10, 0x100, E820Type.Ram));
        map.Add(0x2000, 0x1000, E820Type.Reserved); // touching is fine
        Assert.Equal(2, map.Entries.Count);
    }

    [Fact]
    public void IsRamNeedsOneRamEntryToHoldTheWholeRange()
    {
        E820Map map = TestMaps.Pc(64 << 20);
        Assert.True(map.IsRam(0x7000, 0x1000));
        Assert.True(map.IsRam(0x10_0000, (64 << 20) - 0x10_0000));
        Assert.False(map.IsRam(0x9_F000, 0x1000)); // runs into the EBDA
        Assert.False(map.IsRam(0xE_0000, 0x10));
        Assert.False(map.IsRam(0x10_0000, 64 << 20));
        Assert.False(map.IsRam(ulong.MaxValue, 2));
    }
}
