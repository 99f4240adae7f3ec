namespace Emu.Core.Memory;

/// <summary>What a memory region is made of.</summary>
public enum MemoryRegionKind
{
    /// <summary>Holds other regions; accesses that hit no child fall through to lower regions.</summary>
    Container,

    /// <summary>Guest RAM backed by a <see cref="RamBlock"/>; mapped into the guest (no exits).</summary>
    Ram,

    /// <summary>Read-only memory backed by a <see cref="RamBlock"/>; reads are direct, writes exit and are ignored.</summary>
    Rom,

    /// <summary>Device registers: every access exits to an <see cref="IIoHandler"/>.</summary>
    Io,

    /// <summary>A window onto part of another region.</summary>
    Alias,
}
