using Emu.Accel.Kvm.Interop;
using Emu.Core.Migration;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// The guest's kvmclock (KVM_GET/SET_CLOCK): nanoseconds since the VM started,
/// as the guest's paravirtual clock reads them. It stands still while the
/// guest is stopped, as QEMU's does: it is read when the guest stops and set
/// back when it runs again, so a `stop` of a minute is no minute the guest
/// sees pass. As a section of the migration stream it carries the value taken
/// at the stop (a snapshot saved long after `stop` has the clock of the
/// moment the guest stopped), and loading it makes the destination's clock go
/// on from there when the guest runs: guest time neither jumps nor runs
/// backwards across the move (no KVM_CLOCK_REALTIME).
/// </summary>
internal sealed class KvmClockState : IMigratable
{
    private readonly FileDescriptor _vm;
    private readonly Lock _lock = new();
    private ulong? _stopped;

    public KvmClockState(FileDescriptor vm) => _vm = vm;

    /// <summary>The guest stopped: its clock is taken now (once; a stop while stopped keeps the first).</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_stopped != null)
                return;
            try
            {
                KvmApi.GetClock(_vm, out KvmClockData clock);
                _stopped = clock.Clock;
            }
            catch (PosixException)
            {
                // The clock then runs on through the stop, as it did before this existed.
            }
        }
    }

    /// <summary>The guest runs again: its clock goes on from where it stopped (or was loaded).</summary>
    public void Resume()
    {
        lock (_lock)
        {
            if (_stopped is not ulong clock)
                return;
            _stopped = null;
            KvmApi.SetClock(_vm, new KvmClockData { Clock = clock });
        }
    }

    public void SaveState(StateWriter state)
    {
        ulong clock;
        lock (_lock)
        {
            if (_stopped is ulong stopped)
            {
                clock = stopped;
            }
            else
            {
                KvmApi.GetClock(_vm, out KvmClockData live);
                clock = live.Clock;
            }
        }
        state.WriteU64("clock-ns", clock);
    }

    public void LoadState(StateReader state)
    {
        // 2^63 ns is 292 years: a larger value is no VM's uptime, and KVM takes it as signed.
        ulong clock = state.ReadU64("clock-ns", long.MaxValue);
        state.EnsureAllRead();
        KvmApi.SetClock(_vm, new KvmClockData { Clock = clock });
        // The loaded guest is stopped until it runs: its clock goes on from this value then.
        lock (_lock)
            _stopped = clock;
    }
}
