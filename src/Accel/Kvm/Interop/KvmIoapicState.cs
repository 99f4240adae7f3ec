using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_ioapic_state: KVM's in-kernel IOAPIC, its 24 redirection entries as 64-bit words.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmIoapicState
{
    public const int Pins = 24;

    public ulong BaseAddress;
    public uint IoRegSel;
    public uint Id;
    public uint Irr;
    public uint Pad;
    public fixed ulong RedirectionTable[Pins];
}
