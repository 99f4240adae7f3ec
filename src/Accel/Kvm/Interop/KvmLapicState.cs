using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_lapic_state: the local APIC's 1 KiB register page (KVM_APIC_REG_SIZE).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmLapicState
{
    public const int RegisterSize = 1024;

    public fixed byte Regs[RegisterSize];
}
