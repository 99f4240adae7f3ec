using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_msr_entry: one MSR for KVM_GET_MSRS / KVM_SET_MSRS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrEntry
{
    public uint Index;
    public uint Reserved;
    public ulong Data;
}
