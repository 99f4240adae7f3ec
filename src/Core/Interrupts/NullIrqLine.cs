namespace Emu.Core.Interrupts;

/// <summary>A line connected to nothing (a machine without an interrupt controller).</summary>
public sealed class NullIrqLine : IIrqLine
{
    public static NullIrqLine Instance { get; } = new();

    public void Set(bool asserted)
    {
    }
}
