namespace Emu.Core.Interrupts;

/// <summary>
/// The interrupt controller has no GSI left for another MSI route. A guest
/// that enables more vectors than the VMM can route causes it; the vector
/// then interrupts through the VMM (<see cref="IInterruptController.SignalMsi"/>)
/// or, for a passthrough function, not at all, and the VMM runs on.
/// </summary>
public sealed class InterruptRoutesExhaustedException : InvalidOperationException
{
    public InterruptRoutesExhaustedException(int limit)
        : base($"out of GSIs for MSI routes ({limit})")
    {
        Limit = limit;
    }

    /// <summary>The size of the routing table.</summary>
    public int Limit { get; }
}
