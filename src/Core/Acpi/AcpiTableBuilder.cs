namespace Emu.Core.Acpi;

/// <summary>
/// Generates the ACPI tables a direct-booted OS needs on the q35 machine and
/// lays them out in one blob:
/// RSDP (16-byte aligned, first, so it can sit where the legacy scan of
/// 0xE0000-0xFFFFF finds it), FACS (64-byte aligned in guest memory), then
/// XSDT, FADT, MADT, MCFG and DSDT, each 8-byte aligned. Sizes are known
/// before any pointer is needed, so the layout is computed first and every
/// table is written once with its final addresses.
/// </summary>
public static class AcpiTableBuilder
{
    /// <summary>Size of the ICH9 PM I/O block at PMBASE.</summary>
    public const byte PmBlockSize = 0x80;

    public const int MaxCpus = 255;
    private const int TableAlignment = 8;

    public static AcpiTables Build(AcpiPlatform platform, ulong guestAddress)
    {
        ArgumentNullException.ThrowIfNull(platform);
        Validate(platform);
        if (guestAddress % RsdpBuilder.Alignment != 0)
            throw new ArgumentException($"ACPI tables at 0x{guestAddress:X}: the RSDP must be 16-byte aligned", nameof(guestAddress));

        byte[] facs = FacsBuilder.Build();
        byte[] madt = MadtBuilder.Build(platform);
        byte[] mcfg = McfgBuilder.Build(platform);
        byte[] dsdt = DsdtBuilder.Build(platform);

        int offset = 0;
        int Place(int length, int alignment)
        {
            // Align the guest address, not the offset: the FACS needs 64-byte alignment in guest memory.
            ulong address = guestAddress + (ulong)offset;
            ulong aligned = (address + (ulong)alignment - 1) & ~((ulong)alignment - 1);
            int start = checked((int)(aligned - guestAddress));
            offset = start + length;
            return start;
        }

        int rsdpAt = Place(RsdpBuilder.Size, RsdpBuilder.Alignment);
        int facsAt = Place(facs.Length, FacsBuilder.Alignment);
        int xsdtAt = Place(XsdtBuilder.SizeFor(3), TableAlignment);
        int fadtAt = Place(FadtBuilder.Size, TableAlignment);
        int madtAt = Place(madt.Length, TableAlignment);
        int mcfgAt = Place(mcfg.Length, TableAlignment);
        int dsdtAt = Place(dsdt.Length, TableAlignment);
        if (guestAddress + (ulong)offset < guestAddress)
            throw new ArgumentException($"ACPI tables at 0x{guestAddress:X} would wrap around the address space", nameof(guestAddress));
        ulong At(int o) => guestAddress + (ulong)o;

        byte[] fadt = FadtBuilder.Build(platform, At(facsAt), At(dsdtAt));
        byte[] xsdt = XsdtBuilder.Build([At(fadtAt), At(madtAt), At(mcfgAt)]);
        byte[] rsdp = RsdpBuilder.Build(At(xsdtAt));

        byte[] blob = new byte[offset];
        var tables = new List<AcpiTableLocation>(7);
        void Put(string signature, int at, byte[] bytes)
        {
            bytes.CopyTo(blob, at);
            tables.Add(new AcpiTableLocation(signature, At(at), at, bytes.Length));
        }
        Put("RSD PTR ", rsdpAt, rsdp);
        Put("FACS", facsAt, facs);
        Put("XSDT", xsdtAt, xsdt);
        Put("FACP", fadtAt, fadt);
        Put("APIC", madtAt, madt);
        Put("MCFG", mcfgAt, mcfg);
        Put("DSDT", dsdtAt, dsdt);
        return new AcpiTables(guestAddress, blob, tables);
    }

    private static void Validate(AcpiPlatform p)
    {
        if (p.CpuCount is < 1 or > MaxCpus)
            throw new ArgumentException($"{p.CpuCount} CPUs: the MADT's xAPIC entries describe 1 to {MaxCpus} (APIC ID 0xFF is the broadcast ID)");
        if (p.PmBase == 0 || p.PmBase % PmBlockSize != 0 || p.PmBase > 0x10000 - PmBlockSize)
            throw new ArgumentException($"PM base 0x{p.PmBase:X}: ICH9 PMBASE is a non-zero, 128-byte aligned I/O address");
        if (p.SciIrq is < 0 or > 15)
            throw new ArgumentException($"SCI IRQ {p.SciIrq}: the SCI is an ISA IRQ (0-15)");
        if (p.EcamBusCount is < 1 or > 256)
            throw new ArgumentException($"{p.EcamBusCount} ECAM buses: a PCI segment has 1 to 256");
        if (p.EcamBase % (1UL << 20) != 0)
            throw new ArgumentException($"ECAM base 0x{p.EcamBase:X} is not 1 MiB aligned");
        if (p.LocalApicAddress > uint.MaxValue || p.IoApicAddress > uint.MaxValue)
            throw new ArgumentException("the MADT holds 32-bit local APIC and IOAPIC addresses");
        if (p.Mmio32.Size == 0 || p.Mmio32.Last > uint.MaxValue || p.Mmio32.Last < p.Mmio32.Base)
            throw new ArgumentException($"32-bit PCI window 0x{p.Mmio32.Base:X}+0x{p.Mmio32.Size:X} must be non-empty and below 4 GiB");
        if (p.Mmio64 is { } high && (high.Size == 0 || high.Last < high.Base))
            throw new ArgumentException($"64-bit PCI window 0x{high.Base:X}+0x{high.Size:X} is empty or wraps");
        if (p.SerialPorts.Count > 9)
            throw new ArgumentException($"{p.SerialPorts.Count} serial ports: at most 9 (COM1-COM9)");
        foreach (AcpiSerialPort port in p.SerialPorts)
        {
            if (port.Irq is < 0 or > 15)
                throw new ArgumentException($"serial port 0x{port.IoBase:X}: IRQ {port.Irq} is not an ISA IRQ");
        }
    }
}
