namespace Emu.Core.Boot;

/// <summary>
/// The guest's physical memory map as firmware reports it (E820): RAM the OS
/// may use and ranges it must leave alone. Entries are kept sorted and may
/// not overlap; the board adds them when it lays out its memory.
/// </summary>
public sealed class E820Map
{
    private readonly List<E820Entry> _entries = new();

    public IReadOnlyList<E820Entry> Entries => _entries;

    /// <summary>Adds a range. Overlapping an existing range is a board bug and throws.</summary>
    public E820Map Add(ulong address, ulong size, E820Type type)
    {
        if (size == 0)
            throw new ArgumentException($"empty E820 range at 0x{address:x}", nameof(size));
        if (address + size < address)
            throw new ArgumentException($"E820 range 0x{address:x}+0x{size:x} wraps around", nameof(size));
        var entry = new E820Entry(address, size, type);
        int index = 0;
        while (index < _entries.Count && _entries[index].Address < address)
            index++;
        if (index > 0 && _entries[index - 1].End > address)
            throw new InvalidOperationException($"E820 range {entry} overlaps {_entries[index - 1]}");
        if (index < _entries.Count && entry.End > _entries[index].Address)
            throw new InvalidOperationException($"E820 range {entry} overlaps {_entries[index]}");
        _entries.Insert(index, entry);
        return this;
    }

    /// <summary>True when [address, +size) lies inside one RAM entry.</summary>
    public bool IsRam(ulong address, ulong size)
    {
        foreach (E820Entry e in _entries)
        {
            if (e.Type == E820Type.Ram && e.Contains(address, size))
                return true;
        }
        return false;
    }

    /// <summary>Total bytes of RAM the map reports.</summary>
    public ulong RamSize
    {
        get
        {
            ulong total = 0;
            foreach (E820Entry e in _entries)
            {
                if (e.Type == E820Type.Ram)
                    total += e.Size;
            }
            return total;
        }
    }
}
