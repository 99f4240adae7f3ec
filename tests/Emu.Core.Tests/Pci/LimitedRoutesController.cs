using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Core.Tests.Pci;

/// <summary>
/// An interrupt controller with the irqfd fast path and only
/// <paramref name="routes"/> MSI routes, which runs out as KVM's does; it
/// counts the routes it was asked for, updated or released, and the bindings
/// made and dropped (each one an ioctl, and an allocation, on KVM).
/// </summary>
internal sealed class LimitedRoutesController(int routes) : IInterruptController
{
    private readonly object _lock = new();
    private readonly HashSet<int> _used = new();

    public List<MsiMessage> Signalled { get; } = new();

    public int RouteOperations { get; private set; }

    public int BindingOperations { get; private set; }

    public bool SupportsIrqFd => true;

    public int IoApicPins => 24;

    public IIrqLine GetLine(int gsi) => NullIrqLine.Instance;

    public void SignalMsi(MsiMessage message)
    {
        lock (_lock)
            Signalled.Add(message);
    }

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        lock (_lock)
        {
            RouteOperations++;
            for (int gsi = 24; gsi < 24 + routes; gsi++)
            {
                if (_used.Add(gsi))
                    return new Route(this, gsi, message);
            }
            throw new InterruptRoutesExhaustedException(24 + routes);
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null)
    {
        lock (_lock)
            BindingOperations++;
        return new Binding(this);
    }

    private sealed class Route(LimitedRoutesController owner, int gsi, MsiMessage message) : IMsiRoute
    {
        public int Gsi => gsi;

        public MsiMessage Message { get; private set; } = message;

        public void Update(MsiMessage m)
        {
            lock (owner._lock)
                owner.RouteOperations++;
            Message = m;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner.RouteOperations++;
                owner._used.Remove(gsi);
            }
        }
    }

    // An irqfd binding that can be switched off and on without allocating (KVM_IRQFD deassign/assign).
    private sealed class Binding(LimitedRoutesController owner) : ISuspendableIrqFd
    {
        public void Suspend()
        {
            lock (owner._lock)
                owner.BindingOperations++;
        }

        public void Resume()
        {
            lock (owner._lock)
                owner.BindingOperations++;
        }

        public void Dispose()
        {
            lock (owner._lock)
                owner.BindingOperations++;
        }
    }
}
