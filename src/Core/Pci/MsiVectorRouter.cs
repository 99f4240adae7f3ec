using Emu.Core.Interrupts;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Core.Pci;

/// <summary>
/// The plumbing from a function's interrupt vectors (MSI or MSI-X) to the
/// interrupt controller. Once a vector has been active (enabled, unmasked,
/// with a valid x86 message) it owns a GSI routed to its message and, when
/// the accelerator has irqfd, an eventfd bound to that GSI: firing the vector
/// is then one eventfd write, and the interrupt reaches the guest without the
/// VMM. Without irqfd (tests, other accelerators) firing injects the message
/// through <see cref="IInterruptController.SignalMsi"/>.
///
/// The GSI stays with the vector while the guest masks it and changes its
/// message: masking costs nothing in the routing table (the router's own
/// trigger is simply not fired while masked: the capability keeps the pending
/// bit), reprogramming changes the one route in place. Routes are released
/// when the function disables MSI/MSI-X, is reset or goes away.
///
/// A passthrough function can supply its own trigger per vector
/// (<see cref="SetExternalTrigger"/>): VFIO signals that eventfd from the
/// kernel, so a masked vector's irqfd is switched off (KVM_IRQFD deassign,
/// <see cref="ISuspendableIrqFd"/>) and on again at unmask, which delivers
/// what VFIO signalled meanwhile; <see cref="IsExternalPending"/> shows that
/// count as the vector's pending bit.
///
/// Running out of GSIs, or an accelerator refusing a route or an irqfd, is
/// the guest's doing (it enabled more vectors than can be routed): the
/// vector then interrupts through the VMM (or, with an external trigger, not
/// at all), one line is logged, and the VMM runs on.
///
/// <see cref="Update"/> runs on configuration paths (vCPU threads writing the
/// capability or table, under the router's lock); it allocates only when a
/// vector is first routed. <see cref="Fire"/> is the hot path: it takes no
/// lock and allocates nothing, and reads the vector's state consistently
/// (<see cref="MsiVectorSlot"/>).
/// </summary>
public sealed class MsiVectorRouter : IDisposable
{
    private readonly IInterruptController? _controller;
    private readonly MsiVectorSlot[] _vectors;
    private readonly object _lock = new();
    private readonly ILogger _logger;
    private readonly string _owner;
    private bool _disposed;
    private bool _hasExternalTriggers;
    private long _fired;
    private int _unrouted;

    /// <param name="controller">Where interrupts go; null drops them (a machine without an interrupt controller).</param>
    /// <param name="count">Number of vectors (1 to 2048).</param>
    /// <param name="logger">Where a vector that cannot be routed is reported.</param>
    /// <param name="owner">The function, for that report.</param>
    public MsiVectorRouter(IInterruptController? controller, int count, ILogger? logger = null, string? owner = null)
    {
        if (count is < 1 or > 2048)
            throw new ArgumentOutOfRangeException(nameof(count));
        _controller = controller;
        _logger = logger ?? NullLogger.Instance;
        _owner = owner ?? "a PCI function";
        _vectors = new MsiVectorSlot[count];
        for (int i = 0; i < count; i++)
            _vectors[i] = new MsiVectorSlot();
    }

    public int Count => _vectors.Length;

    /// <summary>Interrupts delivered through <see cref="Fire"/> since creation.</summary>
    public long FiredCount => Interlocked.Read(ref _fired);

    /// <summary>Vector activations that found no route (out of GSIs, or refused by the accelerator).</summary>
    public int UnroutedCount => Volatile.Read(ref _unrouted);

    /// <summary>Whether <paramref name="vector"/> currently delivers (and so can be fired).</summary>
    public bool IsActive(int vector) => (uint)vector < (uint)_vectors.Length && _vectors[vector].Active;

    /// <summary>The GSI routed for <paramref name="vector"/>, or -1 when it has none.</summary>
    public int GsiOf(int vector)
    {
        if ((uint)vector >= (uint)_vectors.Length)
            return -1;
        lock (_lock)
            return _vectors[vector].Route?.Gsi ?? -1;
    }

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
            Release(v);
            if (v.OwnsTrigger)
                v.Trigger?.Dispose();
            v.OwnsTrigger = false;
            v.Publish(false, false, trigger, message);
            if (trigger != null)
                _hasExternalTriggers = true;
            if (wasActive)
                UpdateLocked(vector, v, message, true);
        }
    }

    /// <summary>
    /// Sets what <paramref name="vector"/> delivers: its message while
    /// <paramref name="active"/>, nothing otherwise. A message outside the
    /// x86 MSI window delivers nothing (a guest bug; nothing is injected).
    /// </summary>
    public void Update(int vector, MsiMessage message, bool active)
    {
        if ((uint)vector >= (uint)_vectors.Length)
            return;
        lock (_lock)
        {
            if (!_disposed)
                UpdateLocked(vector, _vectors[vector], message, active);
        }
    }

    private void UpdateLocked(int vector, MsiVectorSlot v, MsiMessage message, bool active)
    {
        v.Message = message;
        if (!active || !message.IsX86Valid)
        {
            // Stop first, then unbind: from here on nothing fires the vector.
            v.Publish(false, false, v.Trigger, message);
            if (!v.OwnsTrigger && v.Binding != null && !v.Suspended)
                Suspend(v);
            return;
        }
        if (_controller is { SupportsIrqFd: true } && !v.RouteFailed)
        {
            try
            {
                Route(v, message);
            }
            catch (Exception e) when (e is InterruptRoutesExhaustedException or IOException)
            {
                Release(v);
                v.RouteFailed = true;
                Interlocked.Increment(ref _unrouted);
                _logger.LogError("{Owner}: vector {Vector} has no interrupt route ({Reason}); {Fallback}", _owner, vector, e.Message,
                    v.Trigger == null || v.OwnsTrigger ? "it interrupts through the VMM" : "its interrupts are lost until the function is reset");
            }
        }
        bool bound = v.Binding != null && !v.Suspended;
        v.Publish(true, bound, v.Trigger, message);
    }

    // Makes sure the vector has a GSI routed to its message and its trigger
    // bound to it; each step is done once and kept.
    private void Route(MsiVectorSlot v, MsiMessage message)
    {
        IInterruptController controller = _controller!;
        if (v.Route == null)
            v.Route = controller.AddMsiRoute(message);
        else if (v.Route.Message != message)
            v.Route.Update(message);
        if (v.Trigger == null)
        {
            v.Publish(false, false, new EventFd(nonBlocking: true), message);
            v.OwnsTrigger = true;
        }
        if (v.Binding == null)
        {
            v.Binding = controller.AddIrqFd(v.Trigger!, v.Route.Gsi);
            v.Suspended = false;
        }
        else if (v.Suspended)
        {
            ((ISuspendableIrqFd)v.Binding).Resume();
            v.Suspended = false;
        }
    }

    // A masked external vector: its irqfd off (reusable when the controller allows it).
    private static void Suspend(MsiVectorSlot v)
    {
        if (v.Binding is ISuspendableIrqFd suspendable)
        {
            suspendable.Suspend();
            v.Suspended = true;
        }
        else
        {
            v.Binding!.Dispose();
            v.Binding = null;
        }
    }

    /// <summary>Delivers <paramref name="vector"/> now if it is active; returns false (nothing delivered) otherwise.</summary>
    public bool Fire(int vector)
    {
        if ((uint)vector >= (uint)_vectors.Length)
            return false;
        _vectors[vector].Read(out bool active, out bool bound, out EventFd? trigger, out MsiMessage message);
        if (!active)
            return false;
        Interlocked.Increment(ref _fired);
        if (bound && trigger != null)
            trigger.Signal();
        else
            _controller?.SignalMsi(message);
        return true;
    }

    /// <summary>
    /// Whether a masked vector with an external trigger has an interrupt
    /// waiting in it (VFIO signalled it while its irqfd was off): the
    /// vector's pending bit. Does not consume it.
    /// </summary>
    public bool IsExternalPending(int vector)
    {
        if (!_hasExternalTriggers || (uint)vector >= (uint)_vectors.Length)
            return false;
        MsiVectorSlot v = _vectors[vector];
        EventFd? trigger = v.Trigger;
        if (trigger == null || v.OwnsTrigger || v.Active)
            return false;
        try
        {
            return trigger.IsSignalled();
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Deactivates every vector and releases its route (function reset, MSI/MSI-X disabled).</summary>
    public void DeactivateAll()
    {
        lock (_lock)
        {
            foreach (MsiVectorSlot v in _vectors)
                Release(v);
        }
    }

    // Stops the vector and gives back its GSI and binding (router lock held).
    private static void Release(MsiVectorSlot v)
    {
        v.Publish(false, false, v.Trigger, v.Message);
        v.Binding?.Dispose();
        v.Binding = null;
        v.Suspended = false;
        v.Route?.Dispose();
        v.Route = null;
        v.RouteFailed = false;
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
                Release(v);
                if (v.OwnsTrigger)
                    v.Trigger?.Dispose();
                v.OwnsTrigger = false;
                v.Publish(false, false, null, v.Message);
            }
        }
    }
}
