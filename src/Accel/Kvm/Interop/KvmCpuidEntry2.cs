using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_cpuid_entry2: what CPUID returns for one leaf (function) and subleaf (index).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmCpuidEntry2
{
    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public fixed uint Padding[3];

    /// <summary>KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the subleaf (ECX) selects the entry.</summary>
    public const uint FlagSignificantIndex = 1;
}
