using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_translation: a guest linear address translated by the vCPU's page tables.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmTranslation
{
    public ulong LinearAddress;
    public ulong PhysicalAddress;
    public byte Valid;
    public byte Writeable;
    public byte Usermode;
    public fixed byte Pad[5];
}
