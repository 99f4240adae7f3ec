using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The PIT and port 0x61 in the migration stream. After a load the IRQ 0
// level is as saved (the interrupt lines restore theirs) and counter 0's
// next edge is armed on this host's clock.
public sealed partial class Pit8254 : IMigratable
{
    /// <summary>Port 0x61's control bits, saved with the PIT whose counter 2 gate they drive.</summary>
    internal NmiStatusControlPort? Port61 { get; set; }

    // Port 0x61 takes its lock before the PIT's: it is read and written outside the PIT's lock.
    public void SaveState(StateWriter state)
    {
        if (Port61 != null)
            state.WriteU8("port61", Port61.Control);
        lock (_lock)
        {
            long now = _clock.Now;
            for (int i = 0; i < 3; i++)
                _counters[i].Save(state, $"counter{i}.", now);
            state.WriteBool("irq-level", _irqLevel);
        }
    }

    public void LoadState(StateReader state)
    {
        if (Port61 != null)
            Port61.Control = state.ReadU8("port61", 0x0F);
        lock (_lock)
        {
            long now = _clock.Now;
            for (int i = 0; i < 3; i++)
                _counters[i].Load(state, $"counter{i}.", now);
            _irqLevel = state.ReadBool("irq-level");
            state.EnsureAllRead();
            _edgeDeadline = 0;
            _timer.Cancel();
            PitCounter counter = _counters[0];
            if (counter.NextEdge(now, s_minimumClocks, out long at, out bool rise, out bool pulse))
            {
                _edgeDeadline = at;
                _edgeRise = rise;
                _edgePulse = pulse;
                _timer.Arm(at);
            }
        }
    }
}
