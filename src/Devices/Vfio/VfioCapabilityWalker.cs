using Emu.Core.Pci;

namespace Emu.Devices.Vfio;

/// <summary>
/// Walks the capability list of a config space snapshot (PCI Local Bus 3.0,
/// 6.7): from the pointer at 0x34, each capability's next pointer at +1. The
/// list comes from the device, so it is treated as untrusted: pointers below
/// 0x40 or past the end stop the walk, the low two bits are ignored as the
/// specification says, and at most 48 links are followed (a loop cannot hang it).
/// </summary>
internal static class VfioCapabilityWalker
{
    private const int MaxLinks = 48;

    /// <summary>(capability ID, offset) pairs in list order.</summary>
    public static List<(byte Id, int Offset)> Walk(ReadOnlySpan<byte> config)
    {
        var result = new List<(byte, int)>();
        if (config.Length < 0x40 || (config[PciRegisters.Status] & PciRegisters.StatusCapabilities) == 0)
            return result;
        int next = config[PciRegisters.CapabilitiesPointer] & ~3;
        var seen = new HashSet<int>();
        while (next >= 0x40 && next + 2 <= Math.Min(config.Length, 256) && result.Count < MaxLinks && seen.Add(next))
        {
            result.Add((config[next], next));
            next = config[next + 1] & ~3;
        }
        return result;
    }

    /// <summary>Offset of the first capability with <paramref name="id"/>, or -1.</summary>
    public static int Find(ReadOnlySpan<byte> config, byte id)
    {
        foreach ((byte capId, int offset) in Walk(config))
        {
            if (capId == id)
                return offset;
        }
        return -1;
    }
}
