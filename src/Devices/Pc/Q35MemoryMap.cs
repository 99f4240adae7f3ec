using Emu.Core.Boot;

namespace Emu.Devices.Pc;

/// <summary>
/// The E820 map of a q35 machine booted without firmware (the map a BIOS
/// would report): conventional memory up to the EBDA, the EBDA and the BIOS
/// area (which holds the ACPI tables) reserved, RAM from 1 MiB to the end of
/// low memory, the ECAM window reserved (Linux only trusts MMCONFIG that the
/// firmware reserved), and RAM above 4 GiB.
/// </summary>
public static class Q35MemoryMap
{
    public static E820Map Build(ulong ramSize)
    {
        ulong below = Q35Layout.BelowFourGiB(ramSize);
        if (below <= LowMemoryLayout.HighMemoryStart)
            throw new ArgumentOutOfRangeException(nameof(ramSize), $"{ramSize} bytes of RAM do not reach above 1 MiB");
        var map = new E820Map()
            .Add(0, LowMemoryLayout.EbdaStart, E820Type.Ram)
            .Add(LowMemoryLayout.EbdaStart, LowMemoryLayout.LegacyAreaStart - LowMemoryLayout.EbdaStart, E820Type.Reserved)
            .Add(Q35Layout.BiosAreaStart, LowMemoryLayout.HighMemoryStart - Q35Layout.BiosAreaStart, E820Type.Reserved)
            .Add(LowMemoryLayout.HighMemoryStart, below - LowMemoryLayout.HighMemoryStart, E820Type.Ram)
            .Add(Q35HostBridge.EcamBase, Q35HostBridge.EcamSize, E820Type.Reserved);
        if (ramSize > below)
            map.Add(Q35Layout.FourGiB, ramSize - below, E820Type.Ram);
        return map;
    }
}
