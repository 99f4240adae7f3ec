using Emu.Core.Interrupts;

namespace Emu.Devices.Tests.Fakes;

/// <summary>An interrupt line that remembers its level.</summary>
internal sealed class FakeIrqLine : IIrqLine
{
    private volatile bool _level;

    public bool Level => _level;

    public void Set(bool asserted) => _level = asserted;
}
