using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_msr_list without its flexible array of 32-bit MSR indices.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrListHeader
{
    public uint Nmsrs;
}
