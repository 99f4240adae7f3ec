using Emu.Core.Boot;

namespace Emu.Core.Tests.Boot;

/// <summary>PC-shaped memory maps: conventional memory, EBDA and BIOS reserved, RAM from 1 MiB.</summary>
internal static class TestMaps
{
    public static E820Map Pc(ulong ramSize) => new E820Map()
        .Add(0, 0x9_FC00, E820Type.Ram)
        .Add(0x9_FC00, 0x400, E820Type.Reserved)
        .Add(0xE_0000, 0x2_0000, E820Type.Reserved)
        .Add(0x10_0000, ramSize - 0x10_0000, E820Type.Ram);
}
