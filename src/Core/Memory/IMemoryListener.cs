namespace Emu.Core.Memory;

/// <summary>
/// Follows the flat view of an address space: the accelerator turns RAM
/// ranges into memory slots, VFIO into DMA mappings. Each update is a batch:
/// <see cref="BeginUpdate"/>, every removed range, every added range,
/// <see cref="CommitUpdate"/>. A listener added to a live address space first
/// receives the current ranges as additions.
/// </summary>
public interface IMemoryListener
{
    void BeginUpdate() { }

    void RangeRemoved(in FlatRange range);

    void RangeAdded(in FlatRange range);

    void CommitUpdate() { }
}
