using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_cpuid2 without its flexible array of entries.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuid2Header
{
    public uint Nent;
    public uint Padding;
}
