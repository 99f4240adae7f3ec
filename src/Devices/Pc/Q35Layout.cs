namespace Emu.Devices.Pc;

/// <summary>
/// The q35 guest-physical memory map and I/O port assignments.
///
/// RAM fills [0, below4G) and continues at 4 GiB. below4G is all of RAM up to
/// 2.75 GiB; above that, RAM below 4 GiB stops at 2 GiB (QEMU's rule), which
/// leaves room for ECAM at 0xB0000000 and the 32-bit PCI window.
/// 0xFE000000-0xFEBFFFFF is kept free of BARs (the firmware's MMIO benchmark
/// writes to 0xFEB00000 and expects nothing there), and the firmware ROM ends
/// at 4 GiB, with its last 128 KiB also shown below 1 MiB.
/// </summary>
public static class Q35Layout
{
    public const ulong FourGiB = 0x1_0000_0000;
    public const ulong LowMemoryLimit = 0xB000_0000;
    public const ulong LowMemoryLimitLarge = 0x8000_0000;
    public const ulong Mmio32Start = 0xC000_0000;
    public const ulong Mmio32End = 0xFE00_0000;
    public const ulong Mmio64Size = 64UL << 30;
    public const ulong IsaBiosEnd = 0x10_0000;
    public const ulong IsaBiosMaxSize = 0x2_0000;
    public const ulong MaxFirmwareSize = 16UL << 20;
    public const ulong IoApicBase = 0xFEC0_0000;
    public const ulong LocalApicBase = 0xFEE0_0000;
    public const ushort PciIoStart = 0xC000;

    /// <summary>The BIOS area below 1 MiB (0xE0000-0xFFFFF): reserved in the memory map, where a direct kernel boot puts the ACPI tables.</summary>
    public const ulong BiosAreaStart = 0xE_0000;

    /// <summary>The ACPI tables (RSDP first, so the OS's legacy scan of 0xE0000-0xFFFFF finds it too), at most 128 KiB.</summary>
    public const ulong AcpiTablesAddress = 0xE_0000;
    public const ulong AcpiTablesMaxSize = 0x2_0000;

    /// <summary>Where the ICH9 PM I/O block is placed when the VMM does the firmware's work (ICH9's usual 0x600).</summary>
    public const ushort PmBase = 0x600;
    public const ushort PciIoEnd = 0xFFFF;

    /// <summary>RAM below 4 GiB for a given RAM size.</summary>
    public static ulong BelowFourGiB(ulong ramSize) =>
        Math.Min(ramSize, ramSize >= LowMemoryLimit ? LowMemoryLimitLarge : LowMemoryLimit);

    /// <summary>Start of the 64-bit PCI window: above the high RAM, aligned to 1 GiB.</summary>
    public static ulong Mmio64Start(ulong ramSize)
    {
        ulong end = FourGiB + (ramSize - BelowFourGiB(ramSize));
        return (end + (1UL << 30) - 1) & ~((1UL << 30) - 1);
    }
}
