using System.Diagnostics;
using Emu.Core.Migration;

namespace Emu.Devices.Pc;

// The ACPI PM registers in the migration stream, and the PM timer as the
// ticks it has counted: the timer goes on from there on the destination (it
// stands still while the VM is in flight, as the TSC does). The SCI level is
// the interrupt lines' state and is restored with them.
public sealed partial class Ich9PowerManagement
{
    internal void Save(StateWriter state)
    {
        lock (_lock)
        {
            state.WriteU16("pm.pm1-status", _pm1Status);
            state.WriteU16("pm.pm1-enable", _pm1Enable);
            state.WriteU32("pm.pm1-control", _pm1Control);
            state.WriteU32("pm.smi-enable", _smiEnable);
            state.WriteU64("pm.gpe0-status", _gpeStatus);
            state.WriteU64("pm.gpe0-enable", _gpeEnable);
            state.WriteBool("pm.sci-level", _sciLevel);
            long elapsed = Stopwatch.GetTimestamp() - _timerOrigin;
            state.WriteU64("pm.timer-ticks", (ulong)(elapsed * (TimerHz / Stopwatch.Frequency)));
        }
    }

    internal void Load(StateReader state)
    {
        lock (_lock)
        {
            _pm1Status = state.ReadU16("pm.pm1-status");
            _pm1Enable = state.ReadU16("pm.pm1-enable");
            _pm1Control = state.ReadU32("pm.pm1-control") & ~SleepEnable;
            _smiEnable = state.ReadU32("pm.smi-enable");
            _gpeStatus = state.ReadU64("pm.gpe0-status");
            _gpeEnable = state.ReadU64("pm.gpe0-enable");
            _sciLevel = state.ReadBool("pm.sci-level");
            // Up to 2^52 ticks (about 40 years): the conversion below stays exact enough and cannot overflow.
            ulong ticks = state.ReadU64("pm.timer-ticks", 1UL << 52);
            _timerOrigin = Stopwatch.GetTimestamp() - (long)(ticks * (Stopwatch.Frequency / TimerHz));
        }
    }
}
