using Emu.Core.Posix;

namespace Emu.Core.Interrupts;

/// <summary>
/// The platform interrupt controller as devices see it: lines (GSIs), direct
/// MSI injection, and the fast paths that bypass the VMM: routes from GSIs to
/// MSI messages and eventfds bound to GSIs (irqfd), with a resample eventfd for
/// level-triggered lines. Devices ask for these through this interface, never
/// through accelerator types.
/// </summary>
public interface IInterruptController
{
    /// <summary>Whether irqfd/MSI routing fast paths are available.</summary>
    bool SupportsIrqFd { get; }

    /// <summary>Number of GSIs wired to the IOAPIC (24 on a PC).</summary>
    int IoApicPins { get; }

    IIrqLine GetLine(int gsi);

    /// <summary>Injects one MSI message now (slow path, through the VMM).</summary>
    void SignalMsi(MsiMessage message);

    /// <summary>
    /// Allocates a GSI routed to an MSI message. Throws
    /// <see cref="InterruptRoutesExhaustedException"/> when no GSI is left, and
    /// an <see cref="IOException"/> when the accelerator refuses the route;
    /// both come from guest programming, and their callers keep the VMM running.
    /// </summary>
    IMsiRoute AddMsiRoute(MsiMessage message);

    /// <summary>
    /// Binds an eventfd to a GSI: signalling it injects the interrupt. With a
    /// resample eventfd the line is level-triggered: it stays asserted until the
    /// guest acknowledges it, which signals <paramref name="resample"/>. The
    /// binding may implement <see cref="ISuspendableIrqFd"/>. Throws an
    /// <see cref="IOException"/> when the accelerator refuses it.
    /// </summary>
    IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null);
}
