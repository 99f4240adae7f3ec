using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>What a KVM VM offers for saving and restoring vCPU state and for its CPUID, checked once per VM.</summary>
/// <remarks>
/// <see cref="XsaveSize"/> is what KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) says
/// KVM_GET_XSAVE2 writes (at least 4096 bytes, more only when a dynamically
/// enabled feature such as AMX is on), or 4096 when the kernel predates it.
/// </remarks>
internal sealed record KvmCapabilities(bool Xsave, bool Xcrs, bool VcpuEvents, bool InKernelIrqChip, bool TscDeadlineTimer, int XsaveSize, bool Debugregs, bool AdjustClock, bool Sregs2)
{
    public static KvmCapabilities Probe(FileDescriptor vm, bool inKernelIrqChip) => new(
        KvmApi.CheckExtension(vm, KvmCap.Xsave) > 0,
        KvmApi.CheckExtension(vm, KvmCap.Xcrs) > 0,
        KvmApi.CheckExtension(vm, KvmCap.VcpuEvents) > 0,
        inKernelIrqChip,
        // The in-kernel local APIC emulates the TSC-deadline timer mode.
        inKernelIrqChip && KvmApi.CheckExtension(vm, KvmCap.TscDeadlineTimer) > 0,
        Math.Max(KvmApi.CheckExtension(vm, KvmCap.Xsave2), 4096),
        KvmApi.CheckExtension(vm, KvmCap.Debugregs) > 0,
        KvmApi.CheckExtension(vm, KvmCap.AdjustClock) > 0,
        KvmApi.CheckExtension(vm, KvmCap.Sregs2) > 0);
}
