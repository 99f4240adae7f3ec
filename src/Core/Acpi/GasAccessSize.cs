namespace Emu.Core.Acpi;

/// <summary>The Access Size field of a Generic Address Structure (ACPI 6.3, table 5-25).</summary>
public enum GasAccessSize : byte
{
    Undefined = 0,
    Byte = 1,
    Word = 2,
    DWord = 3,
    QWord = 4,
}
