using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_irqfd: an eventfd that injects a GSI when signalled.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmIrqfd
{
    public uint Fd;
    public uint Gsi;
    public uint Flags;

    /// <summary>With KVM_IRQFD_FLAG_RESAMPLE: signalled when the guest EOIs a level-triggered interrupt.</summary>
    public uint ResampleFd;
    public fixed byte Pad[16];

    public const uint FlagDeassign = 1;
    public const uint FlagResample = 2;
}
