using Emu.Accel.Kvm.Interop;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>What a KVM VM offers for saving and restoring vCPU state, checked once per VM.</summary>
internal sealed record KvmCapabilities(bool Xsave, bool Xcrs, bool VcpuEvents, bool InKernelIrqChip)
{
    public static KvmCapabilities Probe(FileDescriptor vm, bool inKernelIrqChip) => new(
        KvmApi.CheckExtension(vm, KvmCap.Xsave) > 0,
        KvmApi.CheckExtension(vm, KvmCap.Xcrs) > 0,
        KvmApi.CheckExtension(vm, KvmCap.VcpuEvents) > 0,
        inKernelIrqChip);
}
