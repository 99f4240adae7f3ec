using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>kvm_run.system_event.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunSystemEventExit
{
    public uint Type;
    public uint Ndata;
    public fixed ulong Data[16];
}
