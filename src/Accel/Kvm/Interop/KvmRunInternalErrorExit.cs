using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>kvm_run.internal: why KVM could not go on (suberror 1 = instruction emulation failed).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunInternalErrorExit
{
    public uint Suberror;
    public uint Ndata;
    public fixed ulong Data[16];
}
