using Emu.Core.Posix;

namespace Emu.Core.Interrupts;

/// <summary>
/// ioeventfd: a guest write to an address signals an eventfd inside the
/// kernel, without a vCPU exit to the VMM (virtio queue notifications).
/// </summary>
public interface IIoEventRegistry
{
    bool SupportsIoEventFd { get; }

    /// <summary>
    /// Registers <paramref name="fd"/> for writes of <paramref name="length"/>
    /// bytes at <paramref name="address"/> (an I/O port when
    /// <paramref name="pio"/>), optionally only when the value equals
    /// <paramref name="dataMatch"/>. Dispose to unregister.
    /// </summary>
    IDisposable Add(EventFd fd, ulong address, int length, bool pio, ulong? dataMatch = null);
}
