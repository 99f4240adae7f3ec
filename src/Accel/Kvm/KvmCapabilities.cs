using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>What a KVM VM offers for saving and restoring vCPU state and for its CPUID, checked once per VM.</summary>
internal sealed record KvmCapabilities(bool Xsave, bool Xcrs, bool VcpuEvents, bool InKernelIrqChip, bool TscDeadlineTimer)
{
    public static KvmCapabilities Probe(FileDescriptor vm, bool inKernelIrqChip) => new(
        KvmApi.CheckExtension(vm, KvmCap.Xsave) > 0,
        KvmApi.CheckExtension(vm, KvmCap.Xcrs) > 0,
        KvmApi.CheckExtension(vm, KvmCap.VcpuEvents) > 0,
        inKernelIrqChip,
        // The in-kernel local APIC emulates the TSC-deadline timer mode.
        inKernelIrqChip && KvmApi.CheckExtension(vm, KvmCap.TscDeadlineTimer) > 0);
}
