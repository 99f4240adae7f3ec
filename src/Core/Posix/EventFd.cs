using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// A Linux eventfd: a 64-bit counter the kernel (KVM, VFIO) and the VMM signal
/// each other through. Signalling and waiting allocate nothing; on a disposed
/// eventfd they throw <see cref="ObjectDisposedException"/> (the system calls
/// take the handle, never the number another file may have by now).
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    public EventFd(bool nonBlocking = false)
    {
        Handle = Sys.EventFd(0, nonBlocking ? LibC.EFD_NONBLOCK : 0);
    }

    public FileDescriptor Handle { get; }

    /// <summary>The descriptor number, for code not yet moved to handles (the block backend's AIO); see <see cref="FileDescriptor.Fd"/>.</summary>
    public int Fd => Handle.Fd;

    /// <summary>Adds one to the counter, waking a waiter.</summary>
    public void Signal()
    {
        ulong one = 1;
        while (LibC.write(Handle, &one, 8) < 0)
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
        while (LibC.read(Handle, &value, 8) < 0)
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

    /// <summary>
    /// Whether the counter is non-zero now, without consuming it (poll): e.g.
    /// an interrupt VFIO signalled while its vector was masked. Allocation-free.
    /// </summary>
    public bool IsSignalled()
    {
        using FileDescriptorLease lease = Handle.Lease();
        var pollFd = new LibC.PollFd { Fd = lease.Fd, Events = LibC.POLLIN };
        int n;
        while ((n = LibC.poll(&pollFd, 1, 0)) < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                Sys.Throw("poll(eventfd)");
        }
        return n > 0 && (pollFd.Revents & LibC.POLLIN) != 0;
    }

    public void Dispose() => Handle.Dispose();
}
