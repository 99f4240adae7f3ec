using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.HostIo;

/// <summary>The epoll system calls (.NET has no public epoll).</summary>
internal static unsafe partial class EpollNative
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(FileDescriptor epfd, int op, FileDescriptor fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(FileDescriptor epfd, EpollEvent* events, int maxevents, int timeout);
}
