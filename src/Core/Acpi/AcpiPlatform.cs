namespace Emu.Core.Acpi;

/// <summary>
/// What the ACPI tables describe: the board's CPUs, interrupt controllers,
/// ICH9 power-management block, PCI Express host bridge and legacy devices.
/// Defaults are the q35 values; the board fills in the rest from its layout.
/// </summary>
public sealed record AcpiPlatform
{
    /// <summary>vCPUs: APIC IDs 0..CpuCount-1 (at most 255, xAPIC IDs with 0xFF the broadcast ID).</summary>
    public required int CpuCount { get; init; }

    /// <summary>ICH9 PMBASE: the 128-byte PM I/O block (PM1 event, PM1 control, PM timer, GPE0).</summary>
    public ushort PmBase { get; init; } = 0x600;

    /// <summary>The ISA IRQ the SCI is wired to (ICH9 ACPI_CNTL default: IRQ 9).</summary>
    public int SciIrq { get; init; } = 9;

    /// <summary>PCI Express enhanced configuration space (ECAM, MMCONFIG), 1 MiB per bus.</summary>
    public ulong EcamBase { get; init; } = 0xB000_0000;

    /// <summary>Buses 0..EcamBusCount-1 decode through ECAM.</summary>
    public int EcamBusCount { get; init; } = 256;

    public ulong EcamSize => (ulong)EcamBusCount << 20;

    public ulong LocalApicAddress { get; init; } = 0xFEE0_0000;

    public ulong IoApicAddress { get; init; } = 0xFEC0_0000;

    /// <summary>
    /// 0: KVM's in-kernel IOAPIC resets its ID register to 0, and since the
    /// xAPIC the IOAPIC and local APIC IDs are separate namespaces, so 0
    /// does not clash with CPU 0.
    /// </summary>
    public byte IoApicId { get; init; }

    /// <summary>The 32-bit PCI memory window (below 4 GiB).</summary>
    public required AcpiAddressRange Mmio32 { get; init; }

    /// <summary>The 64-bit PCI memory window, if any.</summary>
    public AcpiAddressRange? Mmio64 { get; init; }

    /// <summary>ISA UARTs, described as COM1, COM2, ... in this order.</summary>
    public IReadOnlyList<AcpiSerialPort> SerialPorts { get; init; } = [];

    /// <summary>The FADT reset register, an I/O port (ICH9 RST_CNT at 0xCF9).</summary>
    public ushort ResetPort { get; init; } = 0xCF9;

    /// <summary>Written to <see cref="ResetPort"/> to reset: SYS_RST | RST_CPU.</summary>
    public byte ResetValue { get; init; } = 0x06;

    /// <summary>An MC146818 CMOS RTC at ports 0x70-0x71, IRQ 8.</summary>
    public required bool HasCmosRtc { get; init; }

    /// <summary>An 8042 keyboard controller at ports 0x60/0x64.</summary>
    public required bool HasI8042 { get; init; }

    /// <summary>ACPI PCI hotplug on the root bus, if the board offers it.</summary>
    public AcpiPciHotplug? PciHotplug { get; init; }

    /// <summary>A VGA device decoding the legacy VGA window and ports.</summary>
    public bool HasVga { get; init; }
}
