using Emu.Core.Migration;

namespace Emu.Core.Cpu;

/// <summary>
/// One virtual CPU. <see cref="Run"/> and the register accessors are called
/// only from the vCPU's own thread (after <see cref="AttachThread"/>);
/// <see cref="RequestExit"/> may be called from any thread.
/// </summary>
public interface IVcpu : IDisposable
{
    int Index { get; }

    /// <summary>Prepares the calling thread to run this vCPU (signal mask, thread id for kicks).</summary>
    void AttachThread();

    /// <summary>Called by the vCPU thread when it stops running this vCPU; kicks no longer signal it.</summary>
    void DetachThread();

    /// <summary>Runs guest code until the next exit. Allocation-free.</summary>
    VcpuExit Run();

    /// <summary>
    /// Makes the current or next <see cref="Run"/> return
    /// <see cref="VcpuExitReason.Interrupted"/> promptly, even if the guest
    /// is halted inside the accelerator. Thread-safe; requests do not get lost.
    /// </summary>
    void RequestExit();

    X86Registers GetRegisters();

    void SetRegisters(in X86Registers registers);

    X86SpecialRegisters GetSpecialRegisters();

    void SetSpecialRegisters(in X86SpecialRegisters registers);

    /// <summary>Makes the vCPU run, or wait for a startup IPI (needs the accelerator's interrupt controller).</summary>
    void SetPowerState(VcpuPowerState state);

    /// <summary>
    /// Puts the vCPU back in the state it had when it was created, which is
    /// what a hardware RESET does: general, segment and control registers,
    /// x87/SSE/AVX state and XCR0, the local APIC, pending events, and the
    /// MSRs the accelerator keeps, among them the paravirtual clock and
    /// interrupt MSRs that would otherwise keep the accelerator writing into
    /// guest memory of the previous boot. The time stamp counter keeps
    /// running. The first call records that state, so it must come before the
    /// vCPU first runs. The power state is <see cref="SetPowerState"/>'s business.
    /// </summary>
    void ResetToInitialState();

    /// <summary>
    /// Reads the MSR each entry's <see cref="X86Msr.Index"/> names into its
    /// <see cref="X86Msr.Value"/>. Returns how many were read: reading stops at
    /// the first MSR the accelerator does not know.
    /// </summary>
    int GetMsrs(Span<X86Msr> msrs);

    /// <summary>Writes MSRs in order; returns how many were written (it stops at the first one refused).</summary>
    int SetMsrs(ReadOnlySpan<X86Msr> msrs);

    /// <summary>Reads the local APIC's register page (needs the accelerator's interrupt controller).</summary>
    void GetLocalApic(out X86LocalApic apic);

    void SetLocalApic(in X86LocalApic apic);

    /// <summary>Translates a guest linear address with the vCPU's current paging; false if unmapped.</summary>
    bool TryTranslate(ulong linearAddress, out ulong physicalAddress);

    /// <summary>Why this vCPU's state cannot be migrated, or null when it can.</summary>
    string? MigrationBlocker => "this accelerator cannot save a vCPU's state";

    /// <summary>
    /// Writes the vCPU's whole state (registers, FPU, MSRs, pending events,
    /// the guest's time stamp counter; the local APIC too when it is the
    /// accelerator's). Called on the vCPU's thread with the guest stopped.
    /// </summary>
    void SaveState(StateWriter state) => throw new MigrationException(MigrationBlocker ?? "this vCPU cannot be saved");

    /// <summary>Loads what <see cref="SaveState"/> wrote (validated: the stream is hostile). On the vCPU's thread.</summary>
    void LoadState(StateReader state) => throw new MigrationException(MigrationBlocker ?? "this vCPU cannot be loaded");
}
