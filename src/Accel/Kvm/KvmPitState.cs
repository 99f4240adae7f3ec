using Emu.Accel.Kvm.Interop;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// KVM's in-kernel 8254 as a section of the migration stream (KVM_GET/SET_PIT2).
/// The load checks each counter against what an 8254 can hold (data sheet:
/// modes 0-5, read/write modes 1-3, a reload of at most 65536): KVM's timer
/// code indexes by these. The load time is the source host's clock, which
/// means nothing here: KVM restarts each counter from its reload value.
/// </summary>
internal sealed class KvmPitState : IMigratable
{
    // KVM marks a counter never programmed with mode 0xFF.
    private const byte Unprogrammed = 0xFF;

    private readonly FileDescriptor _vm;

    public KvmPitState(FileDescriptor vm) => _vm = vm;

    public void SaveState(StateWriter state)
    {
        KvmApi.GetPit2(_vm, out KvmPitState2 pit);
        state.WriteStruct("channel0", pit.Channel0);
        state.WriteStruct("channel1", pit.Channel1);
        state.WriteStruct("channel2", pit.Channel2);
        state.WriteU32("flags", pit.Flags);
    }

    public void LoadState(StateReader state)
    {
        var pit = new KvmPitState2
        {
            Channel0 = Read(state, "channel0"),
            Channel1 = Read(state, "channel1"),
            Channel2 = Read(state, "channel2"),
            Flags = state.ReadU32("flags", KvmPitState2.FlagHpetLegacy | KvmPitState2.FlagSpeakerDataOn),
        };
        state.EnsureAllRead();
        KvmApi.SetPit2(_vm, pit);
    }

    private static KvmPitChannelState Read(StateReader state, string name)
    {
        KvmPitChannelState c = state.ReadStruct<KvmPitChannelState>(name);
        bool valid = c.Count <= 0x10000
            && (c.Mode <= 5 || c.Mode == Unprogrammed)
            && c.RwMode <= 3 && c.CountLatched <= 3
            && c.ReadState <= 4 && c.WriteState <= 4
            && c.StatusLatched <= 1 && c.Bcd <= 1 && c.Gate <= 1;
        if (!valid)
            throw new MigrationException($"{state.Section}: {name} holds values an 8254 counter cannot (mode {c.Mode}, access {c.RwMode}, count {c.Count})");
        return c;
    }
}
