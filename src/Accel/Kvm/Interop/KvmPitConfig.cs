using System.Runtime.InteropServices;

namespace Emu.Accel.Kvm.Interop;

/// <summary>struct kvm_pit_config.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmPitConfig
{
    public uint Flags;
    public fixed uint Pad[15];

    /// <summary>KVM_PIT_SPEAKER_DUMMY: the PIT's port 0x61 speaker bits are emulated too.</summary>
    public const uint SpeakerDummy = 1;
}
