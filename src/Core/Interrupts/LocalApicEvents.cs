namespace Emu.Core.Interrupts;

/// <summary>Requests a local APIC latches for its CPU besides vectored interrupts.</summary>
[Flags]
public enum LocalApicEvents
{
    None = 0,
    Nmi = 1,
    Init = 2,
    Startup = 4,
    Smi = 8,
}
