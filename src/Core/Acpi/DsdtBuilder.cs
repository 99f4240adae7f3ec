namespace Emu.Core.Acpi;

/// <summary>
/// The Differentiated System Description Table (ACPI 6.3, section 5.2.11.1):
/// revision 2, so AML integers are 64 bits. Its definition block holds
/// <list type="bullet">
/// <item>\_SB.Cnnn: one processor device (ACPI0007) per vCPU, _UID = the MADT processor UID;</item>
/// <item>\_SB.PCI0: the PCI Express root bridge (see <see cref="PciRootBridgeAml"/>);</item>
/// <item>\_SB.COM1..: a PNP0501 16550 UART per serial port;</item>
/// <item>\_SB.RTC: the PNP0B00 CMOS clock at 0x70-0x71, IRQ 8, when present;</item>
/// <item>\_GPE._Exx: the PCI hotplug event, when the platform has ACPI PCI hotplug;</item>
/// <item>\_S5: sleep type 0 for soft-off in PM1a and PM1b, which the ICH9 model turns into power-off.</item>
/// </list>
/// The power button needs no object: it is the fixed-hardware button of the FADT.
/// </summary>
internal static class DsdtBuilder
{
    private const byte Revision = 2;
    private const ushort RtcPort = 0x70;
    private const int RtcIrq = 8;

    public static byte[] Build(AcpiPlatform platform)
    {
        var table = new AcpiTableWriter("DSDT", Revision);
        table.Bytes(DefinitionBlock(platform).ToArray());
        return table.ToArray();
    }

    public static AmlTermList DefinitionBlock(AcpiPlatform platform)
    {
        var systemBus = new List<AmlNode>();
        for (int cpu = 0; cpu < platform.CpuCount; cpu++)
            systemBus.Add(Processor(cpu));
        systemBus.Add(PciRootBridgeAml.Build(platform));
        for (int i = 0; i < platform.SerialPorts.Count; i++)
            systemBus.Add(SerialPort(i + 1, platform.SerialPorts[i]));
        if (platform.HasCmosRtc)
            systemBus.Add(Rtc());
        var root = new List<AmlNode>
        {
            Aml.Scope("\\_SB", systemBus.ToArray()),
            Aml.Name("_S5", Aml.Package(0, 0, 0, 0)), // the definition block is the root scope
        };
        if (platform.PciHotplug is { } hotplug)
            root.Add(PciHotplugAml.GpeScope(hotplug));
        return Aml.Block(root.ToArray());
    }

    /// <summary>Processor device Cnnn (hex), the ACPI 6 replacement for the deprecated Processor() object.</summary>
    private static AmlNode Processor(int index) =>
        Aml.Device($"C{index:X3}",
            Aml.Name("_HID", Aml.String("ACPI0007")),
            Aml.Name("_UID", index));

    private static AmlNode SerialPort(int number, AcpiSerialPort port) =>
        Aml.Device($"COM{number}",
            Aml.Name("_HID", Aml.EisaId("PNP0501")),
            Aml.Name("_UID", number),
            Aml.Name("_CRS", new ResourceTemplate()
                .Io(port.IoBase, port.IoBase, 1, 8)
                .IrqNoFlags(port.Irq)));

    private static AmlNode Rtc() =>
        Aml.Device("RTC",
            Aml.Name("_HID", Aml.EisaId("PNP0B00")),
            Aml.Name("_CRS", new ResourceTemplate()
                .Io(RtcPort, RtcPort, 1, 2)
                .IrqNoFlags(RtcIrq)));
}
