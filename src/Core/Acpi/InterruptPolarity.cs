namespace Emu.Core.Acpi;

/// <summary>Which level or edge asserts an interrupt line: the _LL bit of interrupt descriptors.</summary>
public enum InterruptPolarity
{
    ActiveHigh,
    ActiveLow,
}
