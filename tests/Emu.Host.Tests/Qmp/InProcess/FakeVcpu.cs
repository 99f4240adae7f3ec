using Emu.Core.Cpu;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>
/// A vCPU without a hypervisor: Run waits until it is kicked, then reports
/// an interrupted run, and its "program counter" moves on by one each run,
/// so tests can see whether it ran.
/// </summary>
internal sealed class FakeVcpu : IVcpu
{
    private readonly SemaphoreSlim _kick = new(0);
    private X86Registers _registers;
    private X86SpecialRegisters _special;

    public FakeVcpu(int index)
    {
        Index = index;
        _registers.Rip = 0x1000;
        _special.Cr0 = 0x11; // protected mode, paging off: linear = physical
        _special.Cs.DefaultBig = true;
    }

    public int Index { get; }

    public int RunThreadId { get; private set; }

    public void AttachThread() => RunThreadId = Environment.CurrentManagedThreadId;

    public void DetachThread()
    {
    }

    public VcpuExit Run()
    {
        _kick.Wait();
        _registers.Rip++;
        return new VcpuExit { Reason = VcpuExitReason.Interrupted };
    }

    public void RequestExit() => _kick.Release();

    public X86Registers GetRegisters()
    {
        if (Environment.CurrentManagedThreadId != RunThreadId)
            throw new InvalidOperationException("registers read off the vCPU thread");
        return _registers;
    }

    public void SetRegisters(in X86Registers registers) => _registers = registers;

    public X86SpecialRegisters GetSpecialRegisters() => _special;

    public void SetSpecialRegisters(in X86SpecialRegisters registers) => _special = registers;

    public void SetPowerState(VcpuPowerState state)
    {
    }

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress)
    {
        physicalAddress = linearAddress;
        return true;
    }

    public void Dispose() => _kick.Dispose();
}
