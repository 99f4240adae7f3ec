namespace Emu.Core.Acpi;

/// <summary>
/// Bit 0 of an address space descriptor's general flags (ACPI 6.3, section
/// 6.4.3.5.1): a bridge produces the windows it forwards to its children; a
/// device consumes the registers it decodes itself.
/// </summary>
public enum ResourceUsage
{
    Producer = 0,
    Consumer = 1,
}
