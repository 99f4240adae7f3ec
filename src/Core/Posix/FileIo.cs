using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// One system call of a transfer: moves some bytes between <paramref name="fd"/>
/// and the list at <paramref name="offset"/>, returning the count, 0 at end of
/// file, or -1 with errno set (<see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
public unsafe delegate nint IoCall(int fd, IoVec* iov, int count, long offset);

/// <summary>
/// The one loop around read and write system calls (it was copied five
/// times: the block backend, the chardev writer, VFIO region access, and
/// Sys's exact pread/pwrite). read(2) and write(2) may move fewer bytes than
/// asked (a signal, a pipe's capacity, the end of a file) and fail with EINTR
/// when a signal arrives first; both mean "call again for the rest", from
/// where the last call stopped. The scatter list is advanced in place, so on
/// return it describes exactly what was not moved: a caller that falls back
/// to another way (a bounce buffer) continues from there, at
/// <c>offset + done</c>. No allocation.
/// </summary>
public static unsafe partial class FileIo
{
    /// <summary>The whole transfer happened.</summary>
    public const int Complete = 0;

    /// <summary>A read found the end of the file (or a write moved nothing) before the end of the list.</summary>
    public const int EndOfFile = -1;

    [LibraryImport("libc", EntryPoint = "preadv", SetLastError = true)]
    private static partial nint Preadv(int fd, IoVec* iov, int count, long offset);

    [LibraryImport("libc", EntryPoint = "pwritev", SetLastError = true)]
    private static partial nint Pwritev(int fd, IoVec* iov, int count, long offset);

    [LibraryImport("libc", EntryPoint = "readv", SetLastError = true)]
    private static partial nint Readv(int fd, IoVec* iov, int count);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    private static partial nint Writev(int fd, IoVec* iov, int count);

    /// <summary>preadv(2) at an offset of a file.</summary>
    public static readonly IoCall PositionalRead = Preadv;

    /// <summary>pwritev(2) at an offset of a file.</summary>
    public static readonly IoCall PositionalWrite = Pwritev;

    /// <summary>readv(2) at the descriptor's position (pipes, sockets, terminals); the offset is ignored.</summary>
    public static readonly IoCall StreamRead = (fd, iov, count, _) => Readv(fd, iov, count);

    /// <summary>writev(2) at the descriptor's position; the offset is ignored.</summary>
    public static readonly IoCall StreamWrite = (fd, iov, count, _) => Writev(fd, iov, count);

    /// <summary>
    /// Moves <paramref name="total"/> bytes with <paramref name="call"/>,
    /// starting at <paramref name="offset"/>. Returns <see cref="Complete"/>,
    /// <see cref="EndOfFile"/>, or the errno that ended it; <paramref name="done"/>
    /// is what moved, and <paramref name="iov"/>/<paramref name="count"/> are
    /// what is left.
    /// </summary>
    public static int Transfer(SafeHandle file, IoCall call, ref IoVec* iov, ref int count, long offset, long total, out long done)
    {
        bool added = false;
        try
        {
            // The descriptor cannot be closed (and its number reused) while the loop runs.
            file.DangerousAddRef(ref added);
            return Transfer((int)file.DangerousGetHandle(), call, ref iov, ref count, offset, total, out done);
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }

    /// <summary>The same for one buffer.</summary>
    public static int Transfer(SafeHandle file, IoCall call, byte* buffer, long length, long offset, out long done)
    {
        var one = new IoVec((nint)buffer, (nuint)length);
        IoVec* iov = &one;
        int count = 1;
        return Transfer(file, call, ref iov, ref count, offset, length, out done);
    }

    private static int Transfer(int fd, IoCall call, ref IoVec* iov, ref int count, long offset, long total, out long done)
    {
        done = 0;
        while (done < total)
        {
            nint n = call(fd, iov, count, offset + done);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                return errno;
            }
            if (n == 0)
                return EndOfFile;
            done += n;
            Advance(ref iov, ref count, n);
        }
        return Complete;
    }

    /// <summary>Skips <paramref name="n"/> bytes of the list, in place.</summary>
    public static void Advance(ref IoVec* iov, ref int count, nint n)
    {
        nuint left = (nuint)n;
        while (count > 0 && left >= iov->Length)
        {
            left -= iov->Length;
            iov++;
            count--;
        }
        if (count > 0 && left > 0)
        {
            iov->Base += (nint)left;
            iov->Length -= left;
        }
    }
}
