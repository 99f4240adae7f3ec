namespace Emu.Core.Boot;

/// <summary>
/// Address range types of the PC's INT 15h E820 memory map (ACPI 6.3,
/// section 15, table 15-374), used by Linux's boot_params and the PVH
/// memory map alike.
/// </summary>
public enum E820Type : uint
{
    Ram = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
    AcpiNvs = 4,
    Unusable = 5,
}
