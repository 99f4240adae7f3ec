using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>kvm_run.mmio: a memory access with nothing mapped behind it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunMmioExit
{
    public ulong PhysAddr;
    public fixed byte Data[8];
    public uint Len;
    public byte IsWrite;
}
