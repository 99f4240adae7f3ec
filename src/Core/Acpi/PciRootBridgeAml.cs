namespace Emu.Core.Acpi;

/// <summary>
/// The PCI Express root bridge \_SB.PCI0 (PNP0A08, compatible with PNP0A03):
/// segment 0, base bus 0, the windows it forwards (_CRS), INTx routing
/// (_PRT), _OSC, a motherboard-resources device reserving ECAM and the PM block, and
/// ACPI PCI hotplug slots when the platform has them.
/// </summary>
internal static class PciRootBridgeAml
{
    /// <summary>The _OSC UUID for PCI host bridges (PCI Firmware Specification 3.2, section 4.5).</summary>
    public const string PciHostBridgeOscUuid = "33DB4D5B-1FF7-401C-9657-7441C03DD766";

    // _OSC status (first DWORD) bits, ACPI 6.3 section 6.2.11.
    private const int UnrecognizedUuid = 1 << 2, UnrecognizedRevision = 1 << 3, CapabilitiesMasked = 1 << 4;

    // _OSC control (third DWORD) bits of the PCI Firmware Specification 3.2,
    // table 4-5: 0 PCIe native hot plug, 1 SHPC hot plug, 2 PCIe PME, 3 AER,
    // 4 PCIe capability structure, 5 LTR, 7 DPC. Granted: native hot plug,
    // PME, AER and the capability structure (Linux insists on the last one
    // before it takes any). Withheld: SHPC (there is no SHPC), LTR and DPC.
    public const int GrantedControl = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4);

    // The PC's configuration mechanism #1 ports: CONFIG_ADDRESS 0xCF8 and
    // CONFIG_DATA 0xCFC (0xCF9 is RST_CNT on ICH9). The bridge consumes them;
    // the rest of the 64 KiB I/O space is forwarded.
    private const ushort ConfigPorts = 0x0CF8;
    private const byte ConfigPortCount = 8;

    public static AmlNode Build(AcpiPlatform platform)
    {
        var body = new List<AmlNode>
        {
            Aml.Name("_HID", Aml.EisaId("PNP0A08")),
            Aml.Name("_CID", Aml.EisaId("PNP0A03")),
            Aml.Name("_SEG", 0),
            Aml.Name("_BBN", 0),
            Aml.Name("_UID", 0),
            Aml.Name("_CRS", Windows(platform)),
            Aml.Name("_PRT", RoutingTable()),
            OperatingSystemCapabilities(),
            MotherboardResources(platform),
        };
        if (platform.PciHotplug is { } hotplug)
            body.AddRange(PciHotplugAml.RootBridgeObjects(hotplug));
        return Aml.Device("PCI0", body.ToArray());
    }

    /// <summary>The resources the bridge forwards: bus numbers, I/O ports around the config ports, and the memory windows.</summary>
    public static ResourceTemplate Windows(AcpiPlatform platform)
    {
        var crs = new ResourceTemplate()
            .WordBusNumber(0, (ushort)(platform.EcamBusCount - 1))
            .WordIo(0x0000, ConfigPorts - 1)
            .Io(ConfigPorts, ConfigPorts, 1, ConfigPortCount)
            .WordIo(ConfigPorts + ConfigPortCount, 0xFFFF);
        if (platform.HasVga)
            crs.DWordMemory(0xA_0000, 0xB_FFFF); // legacy VGA frame buffer
        crs.DWordMemory((uint)platform.Mmio32.Base, (uint)platform.Mmio32.Last);
        if (platform.Mmio64 is { } high)
            crs.QWordMemory(high.Base, high.Last);
        return crs;
    }

    /// <summary>
    /// _PRT (ACPI 6.3, section 6.2.13): per slot and pin a package
    /// { address 0xSSSSFFFF (slot, any function), pin 0..3 (INTA..INTD),
    /// source 0 (no link device), GSI }.
    /// </summary>
    public static AmlNode RoutingTable()
    {
        var entries = new List<AmlNode>(PciIntxRouting.SlotCount * 4);
        for (int slot = 0; slot < PciIntxRouting.SlotCount; slot++)
        {
            for (int pin = 1; pin <= 4; pin++)
            {
                entries.Add(Aml.Package(
                    Aml.Integer(((ulong)slot << 16) | 0xFFFF),
                    pin - 1,
                    Aml.Zero,
                    PciIntxRouting.Gsi(slot, pin)));
            }
        }
        return Aml.Package(entries.ToArray());
    }

    /// <summary>
    /// _OSC(UUID, revision, count, capabilities): for the PCI host bridge UUID,
    /// grant what the OS asks for within <see cref="GrantedControl"/> and flag
    /// "capabilities masked" when that is less; flag an unknown revision or
    /// UUID in the status DWORD. Returns the updated capabilities buffer.
    /// Without _OSC Linux keeps its hands off native PCIe hot plug, AER and PME.
    /// </summary>
    public static AmlNode OperatingSystemCapabilities()
    {
        AmlNode status = Aml.NamePath("CDW1"), control = Aml.NamePath("CDW3"), requested = Aml.Local(0);
        return Aml.Method("_OSC", 4, false,
            Aml.CreateDWordField(Aml.Arg(3), 0, "CDW1"),
            Aml.If(Aml.LEqual(Aml.Arg(0), Aml.Uuid(PciHostBridgeOscUuid)),
                Aml.CreateDWordField(Aml.Arg(3), 8, "CDW3"),
                Aml.Store(control, requested),
                Aml.And(requested, GrantedControl, control),
                Aml.If(Aml.LNotEqual(Aml.Arg(1), 1),
                    Aml.Or(status, UnrecognizedRevision, status)),
                Aml.If(Aml.LNotEqual(control, requested),
                    Aml.Or(status, CapabilitiesMasked, status))),
            Aml.Else(
                Aml.Or(status, UnrecognizedUuid, status)),
            Aml.Return(Aml.Arg(3)));
    }

    /// <summary>
    /// A PNP0C02 device holding registers the chipset decodes: ECAM (Linux
    /// uses MMCONFIG only if it is reserved like this or in the e820 map) and
    /// the PM I/O block, so no BAR is ever placed over them.
    /// </summary>
    public static AmlNode MotherboardResources(AcpiPlatform platform)
    {
        var crs = new ResourceTemplate();
        if (platform.EcamBase + platform.EcamSize <= 1UL << 32)
            crs.Memory32Fixed((uint)platform.EcamBase, (uint)platform.EcamSize);
        else
            crs.QWordMemory(platform.EcamBase, platform.EcamBase + platform.EcamSize - 1, usage: ResourceUsage.Consumer);
        crs.Io(platform.PmBase, platform.PmBase, 1, AcpiTableBuilder.PmBlockSize);
        if (platform.PciHotplug is { } hotplug)
            crs.Io(hotplug.IoBase, hotplug.IoBase, 1, AcpiPciHotplug.RegisterBlockSize);
        return Aml.Device("MBRS",
            Aml.Name("_HID", Aml.EisaId("PNP0C02")),
            Aml.Name("_UID", 1),
            Aml.Name("_CRS", crs));
    }
}
