using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// A Linux eventfd: a 64-bit counter the kernel (KVM, VFIO) and the VMM signal
/// each other through. Signalling and waiting allocate nothing.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    public EventFd(bool nonBlocking = false)
    {
        Handle = Sys.EventFd(0, nonBlocking ? LibC.EFD_NONBLOCK : 0);
    }

    public FileDescriptor Handle { get; }

    public int Fd => Handle.Fd;

    /// <summary>Adds one to the counter, waking a waiter.</summary>
    public void Signal()
    {
        ulong one = 1;
        while (LibC.write(Handle.Fd, &one, 8) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            if (errno == LibC.EAGAIN)
                return; // counter saturated: a wake-up is already pending
            Sys.Throw("eventfd write");
        }
    }

    /// <summary>
    /// Blocks until the counter is non-zero, then returns and clears it.
    /// On a non-blocking eventfd returns 0 when nothing is pending.
    /// </summary>
    public ulong Wait()
    {
        ulong value;
        while (LibC.read(Handle.Fd, &value, 8) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
                continue;
            if (errno == LibC.EAGAIN)
                return 0;
            Sys.Throw("eventfd read");
        }
        return value;
    }

    public void Dispose() => Handle.Dispose();
}
