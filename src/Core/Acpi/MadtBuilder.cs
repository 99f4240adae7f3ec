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
        table.U32((uint)platform.LocalApicAddress);
        table.U32(PcatCompat);
        for (int cpu = 0; cpu < platform.CpuCount; cpu++)
        {
            table.U8(LocalApicType);
            table.U8(8);
            table.U8((byte)cpu); // ACPI processor UID
            table.U8((byte)cpu); // APIC ID
            table.U32(LocalApicEnabled);
        }
        table.U8(IoApicType);
        table.U8(12);
        table.U8(platform.IoApicId);
        table.U8(0);
        table.U32((uint)platform.IoApicAddress);
        table.U32(0); // GSI base
        SourceOverride(table, TimerIrq, TimerGsi, ActiveHighEdge);
        SourceOverride(table, platform.SciIrq, (uint)platform.SciIrq, ActiveHighLevel);
        table.U8(LocalApicNmiType);
        table.U8(6);
        table.U8(AllProcessors);
        table.U16(ActiveHighEdge);
        table.U8(1); // LINT1
        return table.ToArray();
    }

    private static void SourceOverride(AcpiTableWriter table, int isaIrq, uint gsi, ushort flags)
    {
        table.U8(SourceOverrideType);
        table.U8(10);
        table.U8(0); // bus: ISA
        table.U8((byte)isaIrq);
        table.U32(gsi);
        table.U16(flags);
    }
}
