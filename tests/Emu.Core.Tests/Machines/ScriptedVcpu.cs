using System.Collections.Concurrent;
using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Core.Tests.Machines;

/// <summary>
/// A vCPU driven by the test. Each run does the next queued <see cref="VcpuStep"/>;
/// without one, the "guest" runs until the vCPU is kicked and the run returns
/// <see cref="VcpuExitReason.Interrupted"/>.
/// </summary>
internal sealed class ScriptedVcpu : IVcpu
{
    private readonly SemaphoreSlim _kick = new(0);
    private readonly ConcurrentQueue<VcpuStep> _steps = new();
    private readonly byte[] _exitData = new byte[8];
    private long _runsReturned;

    public ScriptedVcpu(int index) => Index = index;

    public int Index { get; }

    /// <summary>The system memory the vCPU reaches itself (for steps made inside Run).</summary>
    public AddressSpace? Memory { get; set; }

    /// <summary>How many times Run has returned to the VMM.</summary>
    public long RunsReturned => Interlocked.Read(ref _runsReturned);

    public void Enqueue(VcpuStep step)
    {
        _steps.Enqueue(step);
        _kick.Release();
    }

    public void AttachThread()
    {
    }

    public void DetachThread()
    {
    }

    public VcpuExit Run()
    {
        try
        {
            if (_steps.TryDequeue(out VcpuStep? step))
            {
                if (!step.InsideRun)
                    return new VcpuExit { Reason = VcpuExitReason.Mmio, Address = step.Address, Size = 4, Count = 1, IsWrite = true, Data = _exitData.AsSpan(0, 4) };
                Memory!.Write(step.Address, _exitData.AsSpan(0, 4));
            }
            _kick.Wait();
            return new VcpuExit { Reason = VcpuExitReason.Interrupted };
        }
        finally
        {
            Interlocked.Increment(ref _runsReturned);
        }
    }

    public void RequestExit() => _kick.Release();

    public X86Registers GetRegisters() => default;

    public void SetRegisters(in X86Registers registers)
    {
    }

    public X86SpecialRegisters GetSpecialRegisters() => default;

    public void SetSpecialRegisters(in X86SpecialRegisters registers)
    {
    }

    public void SetPowerState(VcpuPowerState state)
    {
    }

    public void ResetToInitialState()
    {
    }

    public int GetMsrs(Span<X86Msr> msrs) => 0;

    public int SetMsrs(ReadOnlySpan<X86Msr> msrs) => 0;

    public void GetLocalApic(out X86LocalApic apic) => apic = default;

    public void SetLocalApic(in X86LocalApic apic)
    {
    }

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress)
    {
        physicalAddress = linearAddress;
        return true;
    }

    public void Dispose() => _kick.Dispose();
}
