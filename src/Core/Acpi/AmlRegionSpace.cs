namespace Emu.Core.Acpi;

/// <summary>The address space of an OperationRegion (ACPI 6.3, section 19.6.100, RegionSpace keywords).</summary>
public enum AmlRegionSpace : byte
{
    SystemMemory = 0x00,
    SystemIo = 0x01,
    PciConfig = 0x02,
}
