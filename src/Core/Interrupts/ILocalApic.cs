using Emu.Core.Cpu;

namespace Emu.Core.Interrupts;

/// <summary>
/// One vCPU's local APIC emulated in the VMM, for accelerators without an
/// in-kernel interrupt controller (the software CPU; Hypervisor.framework
/// later). The vCPU calls it from its own thread: register accesses (the xAPIC
/// page at <see cref="BaseMsr"/>, the x2APIC MSRs), CR8, and at instruction
/// boundaries the interrupt acknowledge. Other threads (IPIs, the IOAPIC, MSIs,
/// timers) make interrupts pending and then call the vCPU's
/// <see cref="IUserspaceApicVcpu.Wake"/>. Intel SDM vol. 3A, chapter 11.
/// </summary>
public interface ILocalApic
{
    /// <summary>IA32_APIC_BASE (MSR 0x1B): base address, global enable (bit 11), x2APIC mode (bit 10), BSP (bit 8).</summary>
    ulong BaseMsr { get; }

    /// <summary>Writes IA32_APIC_BASE; false for a value the architecture refuses (#GP): reserved bits, an invalid mode transition.</summary>
    bool TrySetBaseMsr(ulong value);

    /// <summary>Reads the register at <paramref name="offset"/> of the xAPIC page (a 16-byte aligned offset below 0x400); unknown registers read 0.</summary>
    uint ReadRegister(uint offset);

    /// <summary>Writes a register of the xAPIC page; read-only and unknown registers ignore writes (and set the error status as the APIC would).</summary>
    void WriteRegister(uint offset, uint value);

    /// <summary>x2APIC MSRs 0x800-0x8FF; false when the MSR does not exist or the APIC is not in x2APIC mode (#GP).</summary>
    bool TryReadMsr(uint index, out ulong value);

    /// <summary>Writes an x2APIC MSR; false for a #GP (wrong mode, read-only register, reserved bits).</summary>
    bool TryWriteMsr(uint index, ulong value);

    /// <summary>
    /// Arms the timer's TSC-deadline mode: the vCPU turns the guest's
    /// IA32_TSC_DEADLINE into a host monotonic time (<see cref="MonotonicTime"/>),
    /// or 0 to disarm. It fires only while the LVT timer is in TSC-deadline mode.
    /// </summary>
    void SetTscDeadline(long deadlineNanoseconds);

    /// <summary>CR8: the task priority class (TPR bits 7:4).</summary>
    byte TaskPriorityClass { get; set; }

    /// <summary>Whether an interrupt could be taken now if RFLAGS.IF allowed it: a vector in IRR above the processor priority, or an ExtINT from the 8259.</summary>
    bool HasPendingInterrupt { get; }

    /// <summary>
    /// The interrupt acknowledge cycle: the highest-priority pending vector
    /// moves from IRR to ISR (or the 8259 is acknowledged for ExtINT) and is
    /// returned; -1 when nothing is deliverable after all.
    /// </summary>
    int AcknowledgeInterrupt();

    /// <summary>NMI, INIT, SIPI and SMI requests latched since the last call, with the SIPI's vector.</summary>
    LocalApicEvents TakeEvents(out byte startupVector);

    /// <summary>Power-on (and INIT) state; <paramref name="bootstrapProcessor"/> sets the BSP flag of the base MSR.</summary>
    void Reset(bool bootstrapProcessor);

    /// <summary>The register page as KVM shows it (for the machine's reset code and diagnostics).</summary>
    void GetState(out X86LocalApic page);

    /// <summary>Loads the register page (only the writable state: LVTs, SVR, TPR, LDR, DFR, timer divide).</summary>
    void SetState(in X86LocalApic page);
}
