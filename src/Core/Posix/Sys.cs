using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// Checked wrappers over <see cref="LibC"/>: a failing call throws a
/// <see cref="PosixException"/> naming the operation and errno.
/// </summary>
public static unsafe class Sys
{
    public static int LastErrno => Marshal.GetLastPInvokeError();

    [DoesNotReturn]
    public static void Throw(string operation) => throw new PosixException(operation, Marshal.GetLastPInvokeError());

    [DoesNotReturn]
    public static void Throw(string operation, string detail) => throw new PosixException(operation, Marshal.GetLastPInvokeError(), detail);

    /// <summary>Throws when a call returned a negative value.</summary>
    public static int Check(int result, string operation)
    {
        if (result < 0)
            Throw(operation);
        return result;
    }

    public static FileDescriptor Open(string path, int flags)
    {
        int fd = LibC.open(path, flags | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            Throw("open", path);
        return new FileDescriptor(fd);
    }

    public static FileDescriptor EventFd(uint initial = 0, int flags = 0)
    {
        int fd = LibC.eventfd(initial, flags | LibC.EFD_CLOEXEC);
        if (fd < 0)
            Throw("eventfd");
        return new FileDescriptor(fd);
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>, retrying on EINTR and short reads.</summary>
    public static void PreadExact(FileDescriptor fd, Span<byte> buffer, long offset, string operation)
    {
        fixed (byte* p = buffer)
        {
            int result = FileIo.Transfer(fd, FileIo.PositionalRead, p, buffer.Length, offset, out long done);
            if (result == FileIo.EndOfFile)
                throw new IOException($"{operation}: unexpected end of file at offset {offset + done}");
            if (result != FileIo.Complete)
                throw new PosixException(operation, result);
        }
    }

    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="offset"/>, retrying on EINTR and short writes.</summary>
    public static void PwriteExact(FileDescriptor fd, ReadOnlySpan<byte> buffer, long offset, string operation)
    {
        fixed (byte* p = buffer)
        {
            int result = FileIo.Transfer(fd, FileIo.PositionalWrite, p, buffer.Length, offset, out long done);
            if (result == FileIo.EndOfFile)
                throw new IOException($"{operation}: no progress writing at offset {offset + done}");
            if (result != FileIo.Complete)
                throw new PosixException(operation, result);
        }
    }

    /// <summary>The kernel thread id of the calling thread (for thread-directed signals).</summary>
    public static int GetTid() => (int)LibC.syscall(LibC.SYS_gettid, 0, 0, 0);

    /// <summary>Sends <paramref name="signal"/> to one thread of this process.</summary>
    public static int TgKill(int tid, int signal) => (int)LibC.syscall(LibC.SYS_tgkill, LibC.getpid(), tid, signal);
}
