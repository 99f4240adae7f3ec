using Emu.Core.Cpu;

namespace Emu.Devices.Tests.Fakes;

/// <summary>A vCPU that is never run.</summary>
internal sealed class FakeVcpu(int index) : IVcpu
{
    public int Index => index;

    public void AttachThread() => throw new NotSupportedException();

    public void DetachThread() => throw new NotSupportedException();

    public VcpuExit Run() => throw new NotSupportedException();

    public void RequestExit()
    {
    }

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

    public bool TryTranslate(ulong linearAddress, out ulong physicalAddress)
    {
        physicalAddress = linearAddress;
        return true;
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

    public void Dispose()
    {
    }
}
