namespace Emu.Core.Acpi;

/// <summary>How an interrupt line signals: the _HE bit of interrupt descriptors.</summary>
public enum InterruptTrigger
{
    Level,
    Edge,
}
