using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>
/// A base address register: its size, kind and the region it shows, and where
/// (if anywhere) the guest has it mapped right now.
/// </summary>
public sealed class PciBar
{
    internal PciBar(int index, PciBarKind kind, ulong size, bool prefetchable, MemoryRegion region)
    {
        Index = index;
        Kind = kind;
        Size = size;
        Prefetchable = prefetchable;
        Region = region;
    }

    public int Index { get; }

    public PciBarKind Kind { get; }

    public ulong Size { get; }

    public bool Prefetchable { get; }

    /// <summary>The BAR's contents: device registers, or mapped device memory.</summary>
    public MemoryRegion Region { get; }

    /// <summary>Guest address where the BAR is mapped, or null when not decoded.</summary>
    public ulong? MappedAddress { get; internal set; }

    /// <summary>Low bits of the BAR register that describe its type.</summary>
    internal uint TypeBits => Kind switch
    {
        PciBarKind.Io => 0x1,
        PciBarKind.Memory64 => 0x4u | (Prefetchable ? 0x8u : 0u),
        _ => Prefetchable ? 0x8u : 0u,
    };
}
