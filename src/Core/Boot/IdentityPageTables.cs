using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// Four-level page tables that identity-map the first 4 GiB with 2 MiB pages
/// (Intel SDM vol. 3A, 4.5 "4-Level Paging"): one PML4, one PDPT, four page
/// directories, six 4 KiB pages in a row. Linux's 64-bit boot protocol asks
/// for an identity mapping of the kernel, boot_params and command line; the
/// whole 32-bit space covers wherever they and the initrd are.
/// </summary>
public static class IdentityPageTables
{
    public const int Size = 6 * PageSize;
    private const int PageSize = 0x1000;
    private const ulong Present = 1, Writable = 2, LargePage = 0x80;

    /// <summary>Builds the tables for placement at <paramref name="baseAddress"/> (4 KiB aligned): the PML4 first, so CR3 = <paramref name="baseAddress"/>.</summary>
    public static byte[] Build(ulong baseAddress)
    {
        if ((baseAddress & (PageSize - 1)) != 0 || baseAddress + Size > 0x1_0000_0000)
            throw new ArgumentOutOfRangeException(nameof(baseAddress), $"page tables at 0x{baseAddress:x} must be 4 KiB aligned and below 4 GiB");
        byte[] tables = new byte[Size];
        Span<byte> pml4 = tables.AsSpan(0, PageSize);
        Span<byte> pdpt = tables.AsSpan(PageSize, PageSize);
        ulong pdptAddress = baseAddress + PageSize;
        BinaryPrimitives.WriteUInt64LittleEndian(pml4, pdptAddress | Present | Writable);
        for (int gib = 0; gib < 4; gib++)
        {
            ulong pdAddress = baseAddress + (ulong)(2 + gib) * PageSize;
            BinaryPrimitives.WriteUInt64LittleEndian(pdpt[(gib * 8)..], pdAddress | Present | Writable);
            Span<byte> pd = tables.AsSpan((2 + gib) * PageSize, PageSize);
            for (int entry = 0; entry < 512; entry++)
            {
                ulong physical = ((ulong)gib << 30) | ((ulong)entry << 21);
                BinaryPrimitives.WriteUInt64LittleEndian(pd[(entry * 8)..], physical | Present | Writable | LargePage);
            }
        }
        return tables;
    }
}
