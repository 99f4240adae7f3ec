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

    /// <summary>Translates a guest linear address with the vCPU's current paging; false if unmapped.</summary>
    bool TryTranslate(ulong linearAddress, out ulong physicalAddress);
}
