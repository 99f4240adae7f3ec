using Emu.Core.Interrupts;

namespace Emu.Devices.Tests;

/// <summary>An interrupt line that remembers its level and counts rising edges.</summary>
internal sealed class RecordingIrqLine : IIrqLine
{
    public bool Level { get; private set; }

    public int RisingEdges { get; private set; }

    public void Set(bool asserted)
    {
        if (asserted && !Level)
            RisingEdges++;
        Level = asserted;
    }
}
