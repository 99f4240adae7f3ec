using Emu.Core.Boot;
using Emu.Devices.Pc;

namespace Emu.Devices.Tests.Pc;

public sealed class Q35MemoryMapTests
{
    [Fact]
    public void OneGiBIsAllBelowFourGiBWithTheLegacyHolesAndEcamReserved()
    {
        E820Map map = Q35MemoryMap.Build(1UL << 30);
        Assert.Equal(new[]
        {
            new E820Entry(0, 0x9_FC00, E820Type.Ram),
            new E820Entry(0x9_FC00, 0x400, E820Type.Reserved),
            new E820Entry(0xE_0000, 0x2_0000, E820Type.Reserved),
            new E820Entry(0x10_0000, (1UL << 30) - 0x10_0000, E820Type.Ram),
            new E820Entry(0xB000_0000, 0x1000_0000, E820Type.Reserved),
        }, map.Entries);
        // What a guest counts as usable RAM: everything but the EBDA and 0xA0000-0xFFFFF.
        Assert.Equal((1UL << 30) - 0x6_0400, map.RamSize);
    }

    [Fact]
    public void LargeMemoryIsSplitAroundThePciHole()
    {
        E820Map map = Q35MemoryMap.Build(4UL << 30);
        Assert.Contains(new E820Entry(0x10_0000, 0x8000_0000 - 0x10_0000, E820Type.Ram), map.Entries);
        Assert.Contains(new E820Entry(0x1_0000_0000, 2UL << 30, E820Type.Ram), map.Entries);
        Assert.False(map.IsRam(0xB000_0000, 1));
    }
}
