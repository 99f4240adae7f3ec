namespace Emu.Core.Acpi;

/// <summary>
/// The Multiple APIC Description Table, signature "APIC" (ACPI 6.3, section
/// 5.2.12): local APIC address, flags (PCAT_COMPAT: the dual 8259 PICs that
/// KVM's in-kernel irqchip provides are present and must be masked when the
/// APICs are used), then the interrupt controller structures:
/// <list type="bullet">
/// <item>Processor Local APIC (type 0) per vCPU: ACPI processor UID = APIC ID
/// = index, Enabled. The UID matches _UID of the ACPI0007 device in the DSDT.</item>
/// <item>I/O APIC (type 1): its id, address and GSI base 0, so its 24 pins are GSIs 0-23.</item>
/// <item>Interrupt Source Overrides (type 2): ISA IRQ 0, the PIT, arrives at
/// GSI 2 (as on real chipsets, and as the KVM routing table wires it); the
/// SCI's ISA IRQ is level-triggered and active-high (an ISA IRQ without an
/// override would be edge/high), as the ICH9 model drives it.</item>
/// <item>Local APIC NMI (type 4): LINT1 of every processor (UID 0xFF) is NMI, edge, active-high.</item>
/// </list>
/// </summary>
internal static class MadtBuilder
{
    private const byte Revision = 5;
    private const uint PcatCompat = 1;
    private const byte LocalApicType = 0, IoApicType = 1, SourceOverrideType = 2, LocalApicNmiType = 4;
    private const uint LocalApicEnabled = 1;
    private const byte AllProcessors = 0xFF;
    private const int TimerIrq = 0, TimerGsi = 2;

    // MPS INTI flags: polarity in bits 1:0 (1 active high, 3 active low), trigger mode in bits 3:2 (1 edge, 3 level).
    private const ushort ActiveHighEdge = 0x1 | (0x1 << 2);
    private const ushort ActiveHighLevel = 0x1 | (0x3 << 2);

    public static byte[] Build(AcpiPlatform platform)
    {
        var table = new AcpiTableWriter("APIC", Revision);
        table.DWord((uint)platform.LocalApicAddress);
        table.DWord(PcatCompat);
        for (int cpu = 0; cpu < platform.CpuCount; cpu++)
        {
            table.Byte(LocalApicType);
            table.Byte(8);
            table.Byte((byte)cpu); // ACPI processor UID
            table.Byte((byte)cpu); // APIC ID
            table.DWord(LocalApicEnabled);
        }
        table.Byte(IoApicType);
        table.Byte(12);
        table.Byte(platform.IoApicId);
        table.Byte(0);
        table.DWord((uint)platform.IoApicAddress);
        table.DWord(0); // GSI base
        SourceOverride(table, TimerIrq, TimerGsi, ActiveHighEdge);
        SourceOverride(table, platform.SciIrq, (uint)platform.SciIrq, ActiveHighLevel);
        table.Byte(LocalApicNmiType);
        table.Byte(6);
        table.Byte(AllProcessors);
        table.Word(ActiveHighEdge);
        table.Byte(1); // LINT1
        return table.ToArray();
    }

    private static void SourceOverride(AcpiTableWriter table, int isaIrq, uint gsi, ushort flags)
    {
        table.Byte(SourceOverrideType);
        table.Byte(10);
        table.Byte(0); // bus: ISA
        table.Byte((byte)isaIrq);
        table.DWord(gsi);
        table.Word(flags);
    }
}
