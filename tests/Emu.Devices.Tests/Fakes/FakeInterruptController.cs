using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Devices.Tests.Fakes;

/// <summary>Records MSIs (slow path only: no irqfd) and INTx levels; thread-safe, as device workers raise them.</summary>
internal sealed class FakeInterruptController : IInterruptController
{
    private readonly List<MsiMessage> _messages = new();
    private readonly FakeIrqLine[] _lines = Enumerable.Range(0, 24).Select(_ => new FakeIrqLine()).ToArray();

    public bool SupportsIrqFd => false;

    public int IoApicPins => 24;

    public IIrqLine GetLine(int gsi) => _lines[gsi];

    public bool LineLevel(int gsi) => _lines[gsi].Level;

    public MsiMessage[] Messages
    {
        get
        {
            lock (_messages)
                return _messages.ToArray();
        }
    }

    public void SignalMsi(MsiMessage message)
    {
        lock (_messages)
            _messages.Add(message);
    }

    public IMsiRoute AddMsiRoute(MsiMessage message) => throw new NotSupportedException();

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null) => throw new NotSupportedException();
}
