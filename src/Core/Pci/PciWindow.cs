namespace Emu.Core.Pci;

/// <summary>
/// An address window the VMM places BARs in (the 32-bit MMIO hole, the
/// 64-bit MMIO window, I/O ports): first-fit, naturally aligned, reusable
/// after a device is unplugged.
/// </summary>
public sealed class PciWindow
{
    private readonly SortedList<ulong, ulong> _used = new();

    public PciWindow(ulong start, ulong size)
    {
        Start = start;
        Size = size;
    }

    public ulong Start { get; }

    public ulong Size { get; }

    public ulong End => Start + Size;

    /// <summary>Allocates <paramref name="size"/> bytes aligned to <paramref name="size"/> (BARs are naturally aligned).</summary>
    public bool TryAllocate(ulong size, out ulong address)
    {
        ulong candidate = Align(Start, size);
        foreach (KeyValuePair<ulong, ulong> used in _used)
        {
            if (candidate + size <= used.Key)
                break;
            candidate = Math.Max(candidate, Align(used.Key + used.Value, size));
        }
        if (candidate + size > End || candidate + size < candidate)
        {
            address = 0;
            return false;
        }
        _used.Add(candidate, size);
        address = candidate;
        return true;
    }

    public void Free(ulong address) => _used.Remove(address);

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
