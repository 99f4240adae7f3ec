namespace Emu.Core.Memory;

/// <summary>
/// One piece of a flattened address space: [Start, Start+Size) shows
/// <see cref="Region"/> (never a container or alias) starting at
/// <see cref="Offset"/> inside it.
/// </summary>
public readonly record struct FlatRange(ulong Start, ulong Size, MemoryRegion Region, ulong Offset)
{
    /// <summary>Last address of the range (inclusive), safe at the top of the 64-bit space.</summary>
    public ulong Last => Start + (Size - 1);

    public MemoryRegionKind Kind => Region.Kind;

    public bool IsRam => Region.Kind == MemoryRegionKind.Ram;

    public bool IsRom => Region.Kind == MemoryRegionKind.Rom;

    /// <summary>RAM or ROM: directly mappable host memory.</summary>
    public bool IsMappable => Region.Kind is MemoryRegionKind.Ram or MemoryRegionKind.Rom;

    /// <summary>For mappable ranges: the host virtual address of <see cref="Start"/>.</summary>
    public nint HostAddress => Region.HostMemory!.HostAddress + (nint)(Region.HostOffset + Offset);

    public bool Contains(ulong address) => address >= Start && address - Start < Size;

    public override string ToString() =>
        $"{Start:x16}-{Last:x16} {Region.Kind.ToString().ToLowerInvariant()} {Region.Name}" + (Offset != 0 ? $" @{Offset:x}" : "");
}
