using System.Buffers.Binary;
using Emu.Core.Memory;

namespace Emu.Accel.Tests.Tcg.Differential;

/// <summary>
/// 4-level page tables (SDM vol. 3A, 4.5) built in guest RAM: a PML4 and the
/// tables below it allocated from a window of RAM as pages are mapped. Only
/// what is mapped translates; everything else is not present (#PF).
/// </summary>
internal sealed class GuestPageTables
{
    // Page-table entry bits (SDM vol. 3A, table 4-19/20).
    public const ulong Present = 1, Writable = 2, User = 4, Accessed = 0x20, Dirty = 0x40, NoExecute = 1UL << 63;

    private readonly RamBlock _ram;
    private readonly ulong _limit;
    private ulong _next;

    /// <param name="ram">Guest RAM, at guest-physical 0.</param>
    /// <param name="start">The first page of the window the tables come from.</param>
    /// <param name="limit">The end of that window.</param>
    public GuestPageTables(RamBlock ram, ulong start, ulong limit)
    {
        _ram = ram;
        _next = start;
        _limit = limit;
        Root = Allocate();
    }

    /// <summary>The PML4's physical address (CR3).</summary>
    public ulong Root { get; }

    /// <summary>Maps the 4 KiB page at <paramref name="linear"/> to <paramref name="physical"/> with the given leaf bits.</summary>
    public void Map(ulong linear, ulong physical, ulong flags)
    {
        ulong table = Root;
        for (int level = 4; level > 1; level--)
        {
            ulong entryAddress = EntryAddress(table, linear, level);
            ulong entry = Read(entryAddress);
            if ((entry & Present) == 0)
            {
                // Intermediate entries allow everything; the leaf decides.
                entry = Allocate() | Present | Writable | User;
                Write(entryAddress, entry);
            }
            table = entry & 0x000F_FFFF_FFFF_F000;
        }
        Write(EntryAddress(table, linear, 1), (physical & ~0xFFFUL) | flags | Present);
    }

    /// <summary>The physical address of the entry at <paramref name="level"/> (4 = PML4E ... 1 = PTE) that maps <paramref name="linear"/>.</summary>
    public ulong EntryFor(ulong linear, int level)
    {
        ulong table = Root;
        for (int l = 4; l > level; l--)
        {
            ulong entry = Read(EntryAddress(table, linear, l));
            if ((entry & Present) == 0)
                throw new InvalidOperationException($"0x{linear:x} is not mapped at level {l}");
            table = entry & 0x000F_FFFF_FFFF_F000;
        }
        return EntryAddress(table, linear, level);
    }

    public ulong Read(ulong physical) => BinaryPrimitives.ReadUInt64LittleEndian(_ram.AsSpan(physical, 8));

    public void Write(ulong physical, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(_ram.AsSpan(physical, 8), value);

    private static ulong EntryAddress(ulong table, ulong linear, int level) => table + ((linear >> (12 + 9 * (level - 1))) & 0x1FF) * 8;

    private ulong Allocate()
    {
        if (_next >= _limit)
            throw new InvalidOperationException("out of page-table pages");
        ulong page = _next;
        _next += 0x1000;
        _ram.AsSpan(page, 0x1000).Clear();
        return page;
    }
}
