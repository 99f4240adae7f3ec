using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_debugregs (KVM_GET/SET_DEBUGREGS): DR0-DR3, DR6, DR7; flags and reserved must be zero.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmDebugregs
{
    public fixed ulong Db[4];
    public ulong Dr6;
    public ulong Dr7;
    public ulong Flags;
    public fixed ulong Reserved[9];
}
