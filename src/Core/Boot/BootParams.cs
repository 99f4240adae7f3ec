using System.Buffers.Binary;

namespace Emu.Core.Boot;

/// <summary>
/// Builds Linux's boot_params, the 4 KiB "zero page" a 64-bit loader hands
/// the kernel in RSI (Documentation/arch/x86/zero-page.rst): a copy of the
/// image's setup header with the loader's fields filled in, the E820 memory
/// map, and the ACPI RSDP address. Everything else stays zero, which tells
/// the kernel there is no video mode (no VGA console), no EDD, no EFI.
/// </summary>
public static class BootParams
{
    public const int Size = 0x1000;

    // zero-page.rst offsets.
    public const int AcpiRsdpAddrOffset = 0x070;
    public const int ExtRamdiskImageOffset = 0x0C0;
    public const int ExtRamdiskSizeOffset = 0x0C4;
    public const int ExtCmdLinePtrOffset = 0x0C8;
    public const int E820EntriesOffset = 0x1E8;
    public const int SentinelOffset = 0x1EF;
    public const int E820TableOffset = 0x2D0;

    /// <summary>E820_MAX_ENTRIES_ZEROPAGE: the table in boot_params holds 128 entries of 20 bytes.</summary>
    public const int MaxE820Entries = 128;
    private const int E820EntrySize = 20;

    /// <summary>acpi_rsdp_addr exists from boot protocol 2.14.</summary>
    private const ushort RsdpVersion = 0x020E;

    public static byte[] Build(BzImage image, E820Map map, ulong commandLine, ulong initrd, ulong initrdSize, ulong rsdp)
    {
        if (map.Entries.Count > MaxE820Entries)
            throw new ArgumentException($"{map.Entries.Count} E820 entries do not fit boot_params (at most {MaxE820Entries})", nameof(map));
        byte[] page = new byte[Size];
        Span<byte> p = page;
        image.HeaderBytes.CopyTo(p[LinuxSetupHeader.Start..]);
        p[LinuxSetupHeader.TypeOfLoaderOffset] = LinuxSetupHeader.UndefinedLoader;
        // The 32-bit fields take the low halves; the ext_ fields the high ones.
        BinaryPrimitives.WriteUInt32LittleEndian(p[LinuxSetupHeader.CmdLinePtrOffset..], (uint)commandLine);
        BinaryPrimitives.WriteUInt32LittleEndian(p[ExtCmdLinePtrOffset..], (uint)(commandLine >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(p[LinuxSetupHeader.RamdiskImageOffset..], (uint)initrd);
        BinaryPrimitives.WriteUInt32LittleEndian(p[ExtRamdiskImageOffset..], (uint)(initrd >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(p[LinuxSetupHeader.RamdiskSizeOffset..], (uint)initrdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(p[ExtRamdiskSizeOffset..], (uint)(initrdSize >> 32));
        if (rsdp != 0 && image.Header.Version >= RsdpVersion)
            BinaryPrimitives.WriteUInt64LittleEndian(p[AcpiRsdpAddrOffset..], rsdp);
        p[E820EntriesOffset] = (byte)map.Entries.Count;
        for (int i = 0; i < map.Entries.Count; i++)
        {
            E820Entry e = map.Entries[i];
            Span<byte> slot = p.Slice(E820TableOffset + i * E820EntrySize, E820EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, e.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], e.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[16..], (uint)e.Type);
        }
        return page;
    }
}
