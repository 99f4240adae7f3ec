using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_pit_state2 (KVM_GET/SET_PIT2): the three counters and the HPET-legacy / speaker flags.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmPitState2
{
    public const uint FlagHpetLegacy = 1, FlagSpeakerDataOn = 2;

    public KvmPitChannelState Channel0;
    public KvmPitChannelState Channel1;
    public KvmPitChannelState Channel2;
    public uint Flags;
    public fixed uint Reserved[9];
}
