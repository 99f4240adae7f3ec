using Emu.Accel.Kvm.Interop;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// The guest's kvmclock (KVM_GET/SET_CLOCK) as a section of the migration
/// stream: nanoseconds since the VM started, as the guest's paravirtual clock
/// reads them. Loading it makes the destination's clock go on from the
/// source's, so guest time neither jumps nor runs backwards across the move
/// (it stands still while the VM is stopped, as QEMU's does without
/// KVM_CLOCK_REALTIME).
/// </summary>
internal sealed class KvmClockState : IMigratable
{
    private readonly FileDescriptor _vm;

    public KvmClockState(FileDescriptor vm) => _vm = vm;

    public void SaveState(StateWriter state)
    {
        KvmApi.GetClock(_vm, out KvmClockData clock);
        state.WriteU64("clock-ns", clock.Clock);
    }

    public void LoadState(StateReader state)
    {
        // 2^63 ns is 292 years: a larger value is no VM's uptime, and KVM takes it as signed.
        ulong clock = state.ReadU64("clock-ns", long.MaxValue);
        state.EnsureAllRead();
        KvmApi.SetClock(_vm, new KvmClockData { Clock = clock });
    }
}
