using Emu.Core.Interrupts;

namespace Emu.Devices.Irq;

/// <summary>One source of a <see cref="GsiLine"/> as a line of its own (the PIT's output on GSI 0), so it does not override the devices' level.</summary>
internal sealed class GsiSourceLine : IIrqLine
{
    private readonly GsiLine _line;
    private readonly int _source;

    public GsiSourceLine(GsiLine line, int source)
    {
        _line = line;
        _source = source;
    }

    public void Set(bool asserted) => _line.SetSource(_source, asserted);
}
