using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Core.Pci;

/// <summary>
/// The plumbing from a function's interrupt vectors (MSI or MSI-X) to the
/// interrupt controller. While a vector is active (enabled, unmasked, with a
/// valid x86 message) it owns a GSI routed to its message and, when the
/// accelerator has irqfd, an eventfd bound to that GSI: firing the vector is
/// then one eventfd write, and the interrupt reaches the guest without the VMM.
/// Without irqfd (tests, other accelerators) firing injects the message
/// through <see cref="IInterruptController.SignalMsi"/>.
///
/// A passthrough function can supply its own trigger per vector
/// (<see cref="SetExternalTrigger"/>): VFIO signals that eventfd from the
/// kernel, and the router binds and unbinds it to the vector's GSI as the
/// guest enables and masks the vector. (While unbound, the kernel's signals
/// are not seen here: a vfio-pci model that must track pending bits for
/// masked vectors watches that eventfd itself.)
///
/// <see cref="Update"/> runs on configuration paths (vCPU threads writing the
/// capability or table) and may allocate; <see cref="Fire"/> is the hot path
/// and does not.
/// </summary>
public sealed class MsiVectorRouter : IDisposable
{
    private readonly IInterruptController? _controller;
    private readonly MsiVectorSlot[] _vectors;
    private readonly object _lock = new();
    private bool _disposed;

    /// <param name="controller">Where interrupts go; null drops them (a machine without an interrupt controller).</param>
    /// <param name="count">Number of vectors (1 to 2048).</param>
    public MsiVectorRouter(IInterruptController? controller, int count)
    {
        if (count is < 1 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(count));
        _controller = controller;
        _vectors = new MsiVectorSlot[count];
        for (int i = 0; i < count; i++)
            _vectors[i] = new MsiVectorSlot();
    }

    public int Count => _vectors.Length;

    /// <summary>Interrupts delivered through <see cref="Fire"/> since creation.</summary>
    public long FiredCount => Interlocked.Read(ref _fired);

    private long _fired;

    /// <summary>Whether <paramref name="vector"/> currently has a route (and so can be fired).</summary>
    public bool IsActive(int vector) => (uint)vector < (uint)_vectors.Length && Volatile.Read(ref _vectors[vector].Active);

    /// <summary>The GSI routed for <paramref name="vector"/>, or -1 when it has none.</summary>
    public int GsiOf(int vector) => (uint)vector < (uint)_vectors.Length ? _vectors[vector].Route?.Gsi ?? -1 : -1;

    /// <summary>The eventfd that fires <paramref name="vector"/> (its irqfd), if it has one.</summary>
    public EventFd? TriggerOf(int vector) => (uint)vector < (uint)_vectors.Length ? _vectors[vector].Trigger : null;

    /// <summary>
    /// Uses <paramref name="trigger"/> (owned by the caller, e.g. a VFIO
    /// interrupt eventfd) as the vector's irqfd instead of one of the router's
    /// own; null goes back to the router's own eventfd.
    /// </summary>
    public void SetExternalTrigger(int vector, EventFd? trigger)
    {
        lock (_lock)
        {
            MsiVectorSlot v = _vectors[vector];
            bool wasActive = v.Active;
            MsiMessage message = v.Message;
            Deactivate(v);
            if (v.OwnsTrigger)
                v.Trigger?.Dispose();
            v.Trigger = trigger;
            v.OwnsTrigger = false;
            if (wasActive)
                Activate(v, message);
        }
    }

    /// <summary>
    /// Sets what <paramref name="vector"/> delivers: its message while
    /// <paramref name="active"/>, nothing otherwise. Routes and irqfds are
    /// created, moved or released to match. A message outside the x86 MSI
    /// window leaves the vector inactive (a guest bug; nothing is injected).
    /// </summary>
    public void Update(int vector, MsiMessage message, bool active)
    {
        if ((uint)vector >= (uint)_vectors.Length)
            return;
        lock (_lock)
        {
            if (_disposed)
                return;
            MsiVectorSlot v = _vectors[vector];
            if (!active || !message.IsX86Valid)
            {
                Deactivate(v);
                v.Message = message;
                return;
            }
            if (v.Active && v.Message == message)
                return;
            if (v.Active)
            {
                v.Message = message;
                v.Route?.Update(message);
                return;
            }
            Activate(v, message);
        }
    }

    /// <summary>Delivers <paramref name="vector"/> now if it is active; returns false (nothing delivered) otherwise.</summary>
    public bool Fire(int vector)
    {
        if ((uint)vector >= (uint)_vectors.Length)
            return false;
        MsiVectorSlot v = _vectors[vector];
        if (!Volatile.Read(ref v.Active))
            return false;
        Interlocked.Increment(ref _fired);
        EventFd? trigger = v.Trigger;
        if (v.Bound && trigger != null)
            trigger.Signal();
        else
            _controller?.SignalMsi(v.Message);
        return true;
    }

    /// <summary>Deactivates every vector (function reset, MSI/MSI-X disabled).</summary>
    public void DeactivateAll()
    {
        lock (_lock)
        {
            foreach (MsiVectorSlot v in _vectors)
                Deactivate(v);
        }
    }

    private void Activate(MsiVectorSlot v, MsiMessage message)
    {
        v.Message = message;
        if (_controller == null)
            return;
        if (_controller.SupportsIrqFd)
        {
            v.Route = _controller.AddMsiRoute(message);
            if (v.Trigger == null)
            {
                v.Trigger = new EventFd(nonBlocking: true);
                v.OwnsTrigger = true;
            }
            v.Binding = _controller.AddIrqFd(v.Trigger, v.Route.Gsi);
            v.Bound = true;
        }
        Volatile.Write(ref v.Active, true);
    }

    private static void Deactivate(MsiVectorSlot v)
    {
        Volatile.Write(ref v.Active, false);
        v.Bound = false;
        v.Binding?.Dispose();
        v.Binding = null;
        v.Route?.Dispose();
        v.Route = null;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (MsiVectorSlot v in _vectors)
            {
                Deactivate(v);
                if (v.OwnsTrigger)
                    v.Trigger?.Dispose();
                v.Trigger = null;
            }
        }
    }
}
