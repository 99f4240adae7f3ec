namespace Emu.Core.Boot;

/// <summary>
/// Where a direct kernel boot puts its structures in the first megabyte of a
/// PC, in the places a BIOS would keep its own data. There is no firmware,
/// so nothing else lives here:
/// <code>
///   0x00000  real-mode IVT and BIOS data area (left zero)
///   0x01000  GDT: null, null, __BOOT_CS = 0x10, __BOOT_DS = 0x18, 64-bit TSS = 0x20 (16 bytes)
///   0x06000  PVH: hvm_start_info (56 bytes), module list at +0x40, memory map at +0x80
///   0x07000  Linux: boot_params, the "zero page" (4 KiB)
///   0x08000  boot stack, growing down from 0x9000
///   0x09000  PML4, PDPT at 0xA000, page directories at 0xB000-0xEFFF: 0-4 GiB identity-mapped
///   0x20000  kernel command line (at most 64 KiB with its NUL)
///   0x9FC00  extended BIOS data area (reserved in the memory map)
///   0xA0000  VGA window, option ROMs, system BIOS (reserved); the board's ACPI tables go here
///   0x100000 the kernel (a bzImage's protected-mode code at code32_start)
/// </code>
/// All of 0x0-0x9FBFF is reported as RAM; Linux reserves the whole first MiB
/// for itself and has copied boot_params and the command line before it
/// reuses any of it. Its decompressor and KASLR only ever place the kernel
/// at or above 1 MiB, away from these structures.
/// </summary>
public static class LowMemoryLayout
{
    public const ulong GdtAddress = 0x1000;
    public const ulong PvhStartInfoAddress = 0x6000;
    public const ulong PvhModuleListAddress = 0x6040;
    public const ulong PvhMemoryMapAddress = 0x6080;
    public const ulong PvhMemoryMapEnd = 0x7000;
    public const ulong BootParamsAddress = 0x7000;
    public const ulong StackTop = 0x9000;
    public const ulong PageTablesAddress = 0x9000;
    public const ulong CommandLineAddress = 0x2_0000;
    public const int CommandLineMax = 0x1_0000;

    /// <summary>Start of the extended BIOS data area: RAM below it is conventional memory.</summary>
    public const ulong EbdaStart = 0x9_FC00;

    /// <summary>Start of the legacy video, ROM and BIOS area that ends at 1 MiB.</summary>
    public const ulong LegacyAreaStart = 0xA_0000;

    /// <summary>1 MiB: where "high" memory begins and a bzImage's protected-mode code is loaded.</summary>
    public const ulong HighMemoryStart = 0x10_0000;
}
