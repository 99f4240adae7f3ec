using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Core.Pci;

/// <summary>
/// One vector of a <see cref="MsiVectorRouter"/>, allocated once. What the
/// firing path needs (whether the vector delivers, through which eventfd,
/// with which message) is published under a sequence lock: the router,
/// holding its own lock, makes the sequence odd, writes, makes it even; a
/// firing thread reads the fields between two reads of the same even
/// sequence, so it never sees half of a change and never waits for a lock.
/// The other fields are the router's, under its lock.
/// </summary>
internal sealed class MsiVectorSlot
{
    private int _sequence;
    private bool _active;
    private bool _bound;
    private EventFd? _trigger;
    private ulong _address;
    private uint _data;

    /// <summary>The programmed message (router lock).</summary>
    public MsiMessage Message;

    /// <summary>The GSI routed to the message, kept while the vector is masked (router lock).</summary>
    public IMsiRoute? Route;

    /// <summary>The trigger's irqfd on <see cref="Route"/> (router lock).</summary>
    public IDisposable? Binding;

    /// <summary>The binding is switched off (a masked passthrough vector; router lock).</summary>
    public bool Suspended;

    /// <summary>The trigger is the router's own (else the caller's: a VFIO eventfd).</summary>
    public bool OwnsTrigger;

    /// <summary>The vector could not be routed (logged once; retried after the next deactivation).</summary>
    public bool RouteFailed;

    /// <summary>Whether the vector delivers now (lock-free read; a hint: the firing path uses <see cref="Read"/>).</summary>
    public bool Active => Volatile.Read(ref _active);

    /// <summary>The eventfd that fires the vector, if any (lock-free read).</summary>
    public EventFd? Trigger => Volatile.Read(ref _trigger);

    /// <summary>Publishes the firing state (router lock held).</summary>
    public void Publish(bool active, bool bound, EventFd? trigger, MsiMessage message)
    {
        Interlocked.Increment(ref _sequence); // odd: a change is under way
        Volatile.Write(ref _active, active);
        Volatile.Write(ref _bound, bound);
        Volatile.Write(ref _trigger, trigger);
        Volatile.Write(ref _address, message.Address);
        Volatile.Write(ref _data, message.Data);
        Volatile.Write(ref _sequence, _sequence + 1); // even again, after every field
    }

    /// <summary>A consistent snapshot of the firing state. Allocation-free, lock-free.</summary>
    public void Read(out bool active, out bool bound, out EventFd? trigger, out MsiMessage message)
    {
        var spin = new SpinWait();
        while (true)
        {
            int sequence = Volatile.Read(ref _sequence);
            if ((sequence & 1) == 0)
            {
                active = Volatile.Read(ref _active);
                bound = Volatile.Read(ref _bound);
                trigger = Volatile.Read(ref _trigger);
                message = new MsiMessage(Volatile.Read(ref _address), Volatile.Read(ref _data));
                if (Volatile.Read(ref _sequence) == sequence)
                    return;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
