using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// The C library calls the VMM needs that .NET does not expose: memory
/// mappings, memfd, eventfd, raw file descriptor I/O and ioctl. Every call sets
/// errno, read through <see cref="Marshal.GetLastPInvokeError"/>; callers go
/// through the checked wrappers in <see cref="Sys"/>.
///
/// Calls on a descriptor take its <see cref="FileDescriptor"/>, never its
/// number: the marshaller holds a reference on the handle for the length of
/// the call, so the descriptor cannot be closed under it, and a disposed one
/// throws <see cref="ObjectDisposedException"/> instead of reaching whatever
/// file the kernel has given the same number since. A descriptor a kernel
/// structure carries (an irqfd, VFIO's eventfd arrays) is held the same way
/// with <see cref="FileDescriptor.Lease"/>. The overloads taking an int remain
/// for descriptors the process does not own (0, -1 for anonymous mappings) and
/// for the block backend and character devices, which are still to move over.
/// </summary>
public static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int PROT_NONE = 0;
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int PROT_EXEC = 4;

    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;
    public const int MAP_POPULATE = 0x8000;

    public const uint MFD_CLOEXEC = 0x0001;
    public const uint MFD_ALLOW_SEALING = 0x0002;
    public const uint MFD_HUGETLB = 0x0004;
    /// <summary>memfd_create's huge page size: log2 of the size in flag bits 26-31 (0: the default size).</summary>
    public const int MFD_HUGE_SHIFT = 26;

    public const int F_ADD_SEALS = 1033;
    public const int F_SEAL_SEAL = 0x0001;
    public const int F_SEAL_SHRINK = 0x0002;
    public const int F_SEAL_GROW = 0x0004;

    /// <summary>statfs f_type of hugetlbfs (linux/magic.h).</summary>
    public const long HUGETLBFS_MAGIC = 0x958458f6;

    public const int EFD_SEMAPHORE = 0x1;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECT = 0x4000;
    public const int O_CLOEXEC = 0x80000;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int EPERM = 1;
    public const int ENOMEM = 12;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EISDIR = 21;
    public const int EROFS = 30;
    public const int EFAULT = 14;
    public const int ENOTTY = 25;
    public const int ENOMSG = 42;
    public const int EOPNOTSUPP = 95;

    public const int SIG_BLOCK = 0;
    public const int SIG_UNBLOCK = 1;
    public const int SIG_SETMASK = 2;
    public const int SIGUSR1 = 10;

    public const int MADV_DONTFORK = 10;
    public const int MADV_MERGEABLE = 12;
    public const int MADV_HUGEPAGE = 14;
    public const int MADV_DONTDUMP = 16;
    public const int MADV_POPULATE_WRITE = 23;

    public const int SEEK_END = 2;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial void* mmap(void* addr, nuint length, int prot, int flags, FileDescriptor fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int munmap(void* addr, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mprotect(void* addr, nuint length, int prot);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int madvise(void* addr, nuint length, int advice);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int memfd_create(string name, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ftruncate(FileDescriptor fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long lseek(FileDescriptor fd, long offset, int whence);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstatfs(int fd, StatFs* buf);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstatfs(FileDescriptor fd, StatFs* buf);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, nint arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(FileDescriptor fd, int cmd, nint arg);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(FileDescriptor fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(FileDescriptor fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pread(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pread(FileDescriptor fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(FileDescriptor fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fdatasync(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fdatasync(FileDescriptor fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, nint arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(FileDescriptor fd, nuint request, nint arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(FileDescriptor fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    public const short POLLIN = 1;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fallocate(int fd, int mode, long offset, long len);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fallocate(FileDescriptor fd, int mode, long offset, long len);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpagesize();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pthread_sigmask(int how, ulong* set, ulong* oldset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigtimedwait(ulong* set, void* info, Timespec* timeout);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint syscall(nint number, nint a1, nint a2, nint a3);

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib)]
    public static partial nint strerror(int errnum);

    public const nint SYS_gettid = 186;
    public const nint SYS_tgkill = 234;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>The text of an errno value, e.g. "Permission denied".</summary>
    public static string ErrorText(int errno)
    {
        nint p = strerror(errno);
        return p == 0 ? $"errno {errno}" : Marshal.PtrToStringUTF8(p) ?? $"errno {errno}";
    }
}
