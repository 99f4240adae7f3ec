using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_clock_data (KVM_GET/SET_CLOCK): the guest's kvmclock in nanoseconds.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmClockData
{
    /// <summary>KVM_CLOCK_TSC_STABLE: the clock is the same on every vCPU (output only).</summary>
    public const uint TscStable = 2;

    public ulong Clock;
    public uint Flags;
    public uint Pad0;
    public ulong Realtime;
    public ulong HostTsc;
    public fixed uint Pad[4];
}
