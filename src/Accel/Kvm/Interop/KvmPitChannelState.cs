using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_pit_channel_state: one counter of KVM's in-kernel 8254.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmPitChannelState
{
    /// <summary>The reload value; 65536 stands for a written 0.</summary>
    public uint Count;
    public ushort LatchedCount;
    public byte CountLatched;
    public byte StatusLatched;
    public byte Status;
    public byte ReadState;
    public byte WriteState;
    public byte WriteLatch;
    public byte RwMode;
    public byte Mode;
    public byte Bcd;
    public byte Gate;

    /// <summary>Host monotonic nanoseconds of the last reload (the kernel rebases it on load).</summary>
    public long CountLoadTime;
}
