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
    private readonly Dictionary<uint, ulong> _msrs = new();
    private X86Registers _registers;
    private X86SpecialRegisters _special;
    private X86LocalApic _apic;
    private (X86Registers Registers, X86SpecialRegisters Special, X86LocalApic Apic, Dictionary<uint, ulong> Msrs)? _initial;

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

    private int _runs;

    /// <summary>How many times the vCPU thread entered Run (the guest "ran").</summary>
    public int Runs => Volatile.Read(ref _runs);

    public VcpuExit Run()
    {
        Interlocked.Increment(ref _runs);
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

    public void ResetToInitialState()
    {
        if (_initial is not { } initial)
        {
            _initial = (_registers, _special, _apic, new Dictionary<uint, ulong>(_msrs));
            return;
        }
        (_registers, _special, _apic) = (initial.Registers, initial.Special, initial.Apic);
        _msrs.Clear();
        foreach (var (index, value) in initial.Msrs)
            _msrs[index] = value;
    }

    public int GetMsrs(Span<X86Msr> msrs)
    {
        for (int i = 0; i < msrs.Length; i++)
            msrs[i].Value = _msrs.GetValueOrDefault(msrs[i].Index);
        return msrs.Length;
    }

    public int SetMsrs(ReadOnlySpan<X86Msr> msrs)
    {
        foreach (X86Msr msr in msrs)
            _msrs[msr.Index] = msr.Value;
        return msrs.Length;
    }

    public void GetLocalApic(out X86LocalApic apic) => apic = _apic;

    public void SetLocalApic(in X86LocalApic apic) => _apic = apic;

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress)
    {
        physicalAddress = linearAddress;
        return true;
    }

    public void Dispose() => _kick.Dispose();
}
