using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// An interrupt controller with the irqfd fast path, as KVM offers it, that
/// records instead of injecting: the MSI routes that exist (GSI -> message)
/// and which eventfd is bound to which GSI (with its resample eventfd).
/// </summary>
internal sealed class IrqfdInterruptController : IInterruptController
{
    private readonly object _lock = new();
    private readonly Dictionary<int, Route> _routes = new();
    private readonly List<(EventFd Trigger, int Gsi, EventFd? Resample)> _bindings = new();
    private int _nextGsi = 24;

    public bool SupportsIrqFd => true;

    public int IoApicPins => 24;

    public int RouteUpdates { get; private set; }

    public IIrqLine GetLine(int gsi) => NullIrqLine.Instance;

    public void SignalMsi(MsiMessage message)
    {
    }

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        lock (_lock)
        {
            var route = new Route(this, _nextGsi++, message);
            _routes[route.Gsi] = route;
            RouteUpdates++;
            return route;
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null)
    {
        lock (_lock)
        {
            var binding = (trigger, gsi, resample);
            _bindings.Add(binding);
            return new Binding(this, binding);
        }
    }

    /// <summary>The message an eventfd currently delivers, or null when it is bound to no MSI route.</summary>
    public MsiMessage? MessageFor(int eventFd)
    {
        lock (_lock)
        {
            foreach (var b in _bindings)
            {
                if (!b.Trigger.Handle.IsClosed && b.Trigger.Fd == eventFd && _routes.TryGetValue(b.Gsi, out Route? r))
                    return r.Message;
            }
            return null;
        }
    }

    public (int Gsi, EventFd? Resample)? BindingFor(int eventFd)
    {
        lock (_lock)
        {
            foreach (var b in _bindings)
            {
                if (!b.Trigger.Handle.IsClosed && b.Trigger.Fd == eventFd)
                    return (b.Gsi, b.Resample);
            }
            return null;
        }
    }

    public int ActiveRoutes
    {
        get
        {
            lock (_lock)
                return _routes.Count;
        }
    }

    public int ActiveBindings
    {
        get
        {
            lock (_lock)
                return _bindings.Count;
        }
    }

    private sealed class Route(IrqfdInterruptController owner, int gsi, MsiMessage message) : IMsiRoute
    {
        public int Gsi => gsi;

        public MsiMessage Message { get; private set; } = message;

        public void Update(MsiMessage m)
        {
            lock (owner._lock)
            {
                Message = m;
                owner.RouteUpdates++;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
                owner._routes.Remove(gsi);
        }
    }

    private sealed class Binding(IrqfdInterruptController owner, (EventFd, int, EventFd?) binding) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
                owner._bindings.Remove(binding);
        }
    }
}
