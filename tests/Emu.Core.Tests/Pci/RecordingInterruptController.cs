using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Core.Tests.Pci;

/// <summary>An interrupt controller that records MSIs, routes and irqfd bindings.</summary>
internal sealed class RecordingInterruptController(bool irqfd) : IInterruptController
{
    public List<MsiMessage> Signalled { get; } = new();

    public Dictionary<int, MsiMessage> Routes { get; } = new();

    public Dictionary<int, EventFd> IrqFds { get; } = new();

    private int _nextGsi = 24;

    public bool SupportsIrqFd => irqfd;

    public int IoApicPins => 24;

    public IIrqLine GetLine(int gsi) => NullIrqLine.Instance;

    public void SignalMsi(MsiMessage message) => Signalled.Add(message);

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        var route = new Route(this, _nextGsi++, message);
        Routes[route.Gsi] = message;
        return route;
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null)
    {
        IrqFds[gsi] = trigger;
        return new Binding(this, gsi);
    }

    private sealed class Route(RecordingInterruptController owner, int gsi, MsiMessage message) : IMsiRoute
    {
        public int Gsi => gsi;

        public MsiMessage Message { get; private set; } = message;

        public void Update(MsiMessage m)
        {
            Message = m;
            owner.Routes[gsi] = m;
        }

        public void Dispose() => owner.Routes.Remove(gsi);
    }

    private sealed class Binding(RecordingInterruptController owner, int gsi) : IDisposable
    {
        public void Dispose() => owner.IrqFds.Remove(gsi);
    }
}
