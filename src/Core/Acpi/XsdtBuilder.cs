namespace Emu.Core.Acpi;

/// <summary>
/// The Extended System Description Table (ACPI 6.3, section 5.2.8): the
/// header and one 64-bit address per table (not the FACS or DSDT, which
/// the FADT points to).
/// </summary>
internal static class XsdtBuilder
{
    private const byte Revision = 1;

    public static int SizeFor(int tableCount) => AcpiTableWriter.HeaderSize + 8 * tableCount;

    public static byte[] Build(IReadOnlyList<ulong> tableAddresses)
    {
        var table = new AcpiTableWriter("XSDT", Revision);
        foreach (ulong address in tableAddresses)
            table.QWord(address);
        return table.ToArray();
    }
}
