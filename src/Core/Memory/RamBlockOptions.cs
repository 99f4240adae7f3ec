namespace Emu.Core.Memory;

/// <summary>How a <see cref="RamBlock"/> maps its memory (the memory backends' properties).</summary>
public sealed record RamBlockOptions
{
    /// <summary>Private anonymous memory on transparent huge pages, not reserved: guest RAM unless the user asks for more.</summary>
    public static readonly RamBlockOptions Default = new();

    /// <summary>MAP_SHARED: writes reach the file (or shared memory), so other processes mapping it see guest RAM.</summary>
    public bool Shared { get; init; }

    /// <summary>
    /// Without it the mapping is MAP_NORESERVE: Linux does not count untouched
    /// guest RAM against its commit limit. A hugetlb mapping is always reserved
    /// (see <see cref="RamBlock"/>).
    /// </summary>
    public bool Reserve { get; init; }

    /// <summary>MADV_MERGEABLE: KSM may merge identical pages (only while ksmd runs).</summary>
    public bool Merge { get; init; }

    /// <summary>Without it, MADV_DONTDUMP: guest RAM stays out of core dumps.</summary>
    public bool Dump { get; init; } = true;

    /// <summary>Every page is made resident when the block is created (MADV_POPULATE_WRITE).</summary>
    public bool Prealloc { get; init; }

    /// <summary>The huge page size of a hugetlb file or memfd; 0 for ordinary (transparent huge) pages.</summary>
    public ulong HugePageSize { get; init; }
}
