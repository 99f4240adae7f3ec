using Emu.Core.Migration;

namespace Emu.Devices.Irq;

// The timer's count in the migration stream, as times relative to the save:
// how long ago the count started and how far away the armed expiry is. The
// TSC-deadline mode's deadline belongs to the CPU (IA32_TSC_DEADLINE), which
// arms it again when it loads.
internal sealed partial class LocalApicTimer
{
    public void Save(StateWriter state, long now)
    {
        state.WriteU32("timer.initial-count", InitialCount);
        state.WriteU32("timer.divide-configuration", DivideConfiguration);
        state.WriteI64("timer.started-ns-ago", InitialCount == 0 ? 0 : now - _start);
        state.WriteI64("timer.expires-in-ns", _deadline == 0 || TscDeadline != 0 ? -1 : Math.Max(0, _deadline - now));
    }

    public void Load(StateReader state, long now, bool tscDeadlineMode)
    {
        Stop();
        uint initial = state.ReadU32("timer.initial-count");
        uint divide = state.ReadU32("timer.divide-configuration", 0xB);
        long ago = state.ReadI64("timer.started-ns-ago");
        long expiresIn = state.ReadI64("timer.expires-in-ns");
        // A count runs at most 2^32 ticks of 128 ns: about nine minutes.
        const long Longest = (1L << 32) * 128;
        if (ago < 0 || ago > 1000 * Longest || expiresIn < -1 || expiresIn > Longest)
            throw new MigrationException($"{state.Section}: timer times {ago} / {expiresIn} ns are out of range");
        DivideConfiguration = divide;
        uint code = ((divide >> 1) & 4) | (divide & 3);
        DivideShift = code == 7 ? 0 : (int)code + 1;
        if (tscDeadlineMode)
            return;
        InitialCount = initial;
        _start = now - ago;
        if (initial != 0 && expiresIn >= 0)
            Arm(now + expiresIn);
    }
}
