namespace Emu.Core.Acpi;

/// <summary>
/// The _MEM field of a memory address space descriptor (type-specific flags
/// bits 2:1, ACPI 6.3, table 6-241). Linux turns Prefetchable into
/// IORESOURCE_PREFETCH, and a prefetchable window does not take
/// non-prefetchable BARs, so host bridge windows are not marked prefetchable.
/// </summary>
public enum MemoryCaching
{
    NonCacheable = 0,
    Cacheable = 1,
    WriteCombining = 2,
    Prefetchable = 3,
}
