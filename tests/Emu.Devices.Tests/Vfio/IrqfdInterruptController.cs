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
    internal readonly object Lock = new();
    internal readonly Dictionary<int, RecordedMsiRoute> Routes = new();
    internal readonly List<(EventFd Trigger, int Gsi, EventFd? Resample)> Bindings = new();
    private int _nextGsi = 24;

    public bool SupportsIrqFd => true;

    public int IoApicPins => 24;

    public int RouteUpdates { get; internal set; }

    public IIrqLine GetLine(int gsi) => NullIrqLine.Instance;

    public void SignalMsi(MsiMessage message)
    {
    }

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        lock (Lock)
        {
            var route = new RecordedMsiRoute(this, _nextGsi++, message);
            Routes[route.Gsi] = route;
            RouteUpdates++;
            return route;
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null)
    {
        lock (Lock)
        {
            var binding = (trigger, gsi, resample);
            Bindings.Add(binding);
            return new Binding(this, binding);
        }
    }

    // KVM_IRQFD assign/deassign: a suspended binding is off the list until resumed.
    private sealed class Binding(IrqfdInterruptController owner, (EventFd Trigger, int Gsi, EventFd? Resample) binding) : ISuspendableIrqFd
    {
        public void Suspend()
        {
            lock (owner.Lock)
                owner.Bindings.Remove(binding);
        }

        public void Resume()
        {
            lock (owner.Lock)
                owner.Bindings.Add(binding);
        }

        public void Dispose() => Suspend();
    }

    /// <summary>The message an eventfd currently delivers, or null when it is bound to no MSI route.</summary>
    public MsiMessage? MessageFor(int eventFd)
    {
        lock (Lock)
        {
            foreach (var b in Bindings)
            {
                if (!b.Trigger.Handle.IsClosed && b.Trigger.Fd == eventFd && Routes.TryGetValue(b.Gsi, out RecordedMsiRoute? r))
                    return r.Message;
            }
            return null;
        }
    }

    public (int Gsi, EventFd? Resample)? BindingFor(int eventFd)
    {
        lock (Lock)
        {
            foreach (var b in Bindings)
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
            lock (Lock)
                return Routes.Count;
        }
    }

    public int ActiveBindings
    {
        get
        {
            lock (Lock)
                return Bindings.Count;
        }
    }
}
