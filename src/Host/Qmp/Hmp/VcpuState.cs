using Emu.Core.Cpu;

namespace Emu.Host.Qmp.Hmp;

/// <summary>A vCPU's registers, read together on its own thread.</summary>
internal readonly record struct VcpuState(X86Registers Registers, X86SpecialRegisters Special)
{
    public static VcpuState Read(IVcpu vcpu) => new(vcpu.GetRegisters(), vcpu.GetSpecialRegisters());
}
