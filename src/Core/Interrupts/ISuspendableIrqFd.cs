namespace Emu.Core.Interrupts;

/// <summary>
/// An irqfd binding that can be switched off and on again without being made
/// anew: masking and unmasking a passthrough function's vector, which a guest
/// does per interrupt in some drivers, costs one unbind or bind in the kernel
/// and no allocation. Bindings returned by
/// <see cref="IInterruptController.AddIrqFd"/> may implement it; when one does
/// not, its user disposes it and asks for a new one.
/// </summary>
public interface ISuspendableIrqFd : IDisposable
{
    /// <summary>Unbinds the eventfd: signals count up in it, undelivered.</summary>
    void Suspend();

    /// <summary>Binds it again; a count that built up meanwhile is delivered at once.</summary>
    void Resume();
}
