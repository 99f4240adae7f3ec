namespace Emu.Core.Interrupts;

/// <summary>
/// One interrupt input of the platform's interrupt controller (an ISA IRQ or
/// an IOAPIC pin). Level semantics: the line stays asserted until set low.
/// </summary>
public interface IIrqLine
{
    void Set(bool asserted);

    /// <summary>An edge: assert then deassert.</summary>
    void Pulse()
    {
        Set(true);
        Set(false);
    }
}
