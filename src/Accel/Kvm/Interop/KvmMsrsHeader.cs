using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_msrs without its flexible array of <see cref="KvmMsrEntry"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrsHeader
{
    public uint Nmsrs;
    public uint Pad;
}
