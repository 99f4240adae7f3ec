namespace Emu.Core.Interrupts;

/// <summary>
/// A vCPU whose local APIC lives in the VMM (<see cref="ILocalApic"/>): the
/// board connects the APIC after creating the vCPU, and the APIC calls
/// <see cref="Wake"/> (from any thread) whenever it has something for the CPU:
/// a new pending interrupt, an NMI, INIT or SIPI, a timer expiry. Wake must be
/// cheap, allocation-free and safe to call at any time; it ends a HLT.
/// </summary>
public interface IUserspaceApicVcpu
{
    int Index { get; }

    void ConnectLocalApic(ILocalApic apic);

    void Wake();
}
