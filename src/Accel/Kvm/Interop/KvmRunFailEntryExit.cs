using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>kvm_run.fail_entry.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRunFailEntryExit
{
    public ulong HardwareEntryFailureReason;
    public uint Cpu;
}
