using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_irq_routing, without its flexible array of entries.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmIrqRoutingHeader
{
    public uint Nr;
    public uint Flags;
}
