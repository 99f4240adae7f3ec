namespace Emu.Core.Acpi;

/// <summary>
/// The PCI Express memory-mapped configuration table, signature "MCFG"
/// (PCI Firmware Specification 3.2, section 4.1.2): the header, 8 reserved
/// bytes, then per ECAM region its base address (8), PCI segment (2), first
/// and last bus (1 + 1) and 4 reserved bytes.
/// </summary>
internal static class McfgBuilder
{
    private const byte Revision = 1;

    public static byte[] Build(AcpiPlatform platform)
    {
        var table = new AcpiTableWriter("MCFG", Revision);
        table.Zeros(8);
        table.QWord(platform.EcamBase);
        table.Word(0); // segment group
        table.Byte(0); // start bus
        table.Byte((byte)(platform.EcamBusCount - 1));
        table.Zeros(4);
        return table.ToArray();
    }
}
