using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_fpu: the x87 and SSE state in FXSAVE terms (KVM_GET_FPU / KVM_SET_FPU).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmFpu
{
    public fixed byte Fpr[8 * 16];
    public ushort Fcw;
    public ushort Fsw;
    public byte Ftwx;
    public byte Pad1;
    public ushort LastOpcode;
    public ulong LastIp;
    public ulong LastDp;
    public fixed byte Xmm[16 * 16];
    public uint Mxcsr;
    public uint Pad2;
}
