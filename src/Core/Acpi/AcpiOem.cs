namespace Emu.Core.Acpi;

/// <summary>The identification every table header carries (ACPI 6.3, section 5.2.6).</summary>
internal static class AcpiOem
{
    /// <summary>OEMID: six characters, space padded.</summary>
    public const string Id = "EMU   ";

    /// <summary>OEM Table ID: eight characters, space padded.</summary>
    public const string TableId = "EMUVM   ";

    public const uint Revision = 1;

    /// <summary>Creator ID: the vendor of the tool that made the table (for a DSDT, normally the ASL compiler).</summary>
    public const string CreatorId = "EMU ";

    public const uint CreatorRevision = 1;
}
