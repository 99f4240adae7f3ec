using Emu.Core.Interrupts;

namespace Emu.Devices.Tests.Serial;

/// <summary>An interrupt line that remembers its level and every change.</summary>
internal sealed class RecordingIrqLine : IIrqLine
{
    public bool Level { get; private set; }

    public int Raises { get; private set; }

    public void Set(bool asserted)
    {
        if (asserted && !Level)
            Raises++;
        Level = asserted;
    }
}
