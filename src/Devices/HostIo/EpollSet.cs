using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.HostIo;

/// <summary>
/// An epoll instance: a device worker thread blocks in <see cref="Wait"/> on
/// its eventfds (ioeventfd notifications, a stop request) and backend file
/// descriptors (a tap), each tagged with a 64-bit token. Waiting allocates nothing.
/// </summary>
public sealed unsafe class EpollSet : IDisposable
{
    private readonly FileDescriptor _epoll;

    public EpollSet()
    {
        int fd = EpollNative.epoll_create1(EpollNative.EPOLL_CLOEXEC);
        if (fd < 0)
            Sys.Throw("epoll_create1");
        _epoll = new FileDescriptor(fd);
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/> (level-triggered).</summary>
    public void Add(FileDescriptor fd, ulong token, uint events = EpollEvent.In) => Control(EpollNative.EPOLL_CTL_ADD, fd, token, events);

    public void Modify(FileDescriptor fd, ulong token, uint events) => Control(EpollNative.EPOLL_CTL_MOD, fd, token, events);

    public void Remove(FileDescriptor fd) => Control(EpollNative.EPOLL_CTL_DEL, fd, 0, 0);

    // The kernel drops a descriptor from the set when its file is closed; a
    // closed handle is refused here (ObjectDisposedException), never confused
    // with the file that has its number now.
    private void Control(int op, FileDescriptor fd, ulong token, uint events)
    {
        var ev = new EpollEvent { Events = events, Data = token };
        if (EpollNative.epoll_ctl(_epoll, op, fd, &ev) < 0)
            Sys.Throw("epoll_ctl");
    }

    /// <summary>Blocks until something is ready (or <paramref name="timeoutMs"/>, -1 for ever); returns how many entries of <paramref name="ready"/> were filled.</summary>
    public int Wait(Span<EpollEvent> ready, int timeoutMs = -1)
    {
        fixed (EpollEvent* p = ready)
        {
            while (true)
            {
                int n = EpollNative.epoll_wait(_epoll, p, ready.Length, timeoutMs);
                if (n >= 0)
                    return n;
                if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                    Sys.Throw("epoll_wait");
            }
        }
    }

    public void Dispose() => _epoll.Dispose();
}
