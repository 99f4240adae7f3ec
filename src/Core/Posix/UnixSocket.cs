using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Emu.Core.Posix;

/// <summary>
/// Listening AF_UNIX stream sockets bound by path, with errors in the
/// kernel's own words. .NET maps a failed bind(2) to a <see cref="SocketError"/>
/// and loses errno on the way (ENOENT for a missing directory reads
/// "Cannot assign requested address"), and refuses a path that does not fit
/// sun_path with a multi-line exception; here the path is checked first and
/// socket(2), bind(2) and listen(2) are called directly, then handed to a
/// <see cref="Socket"/> that owns the descriptor.
/// </summary>
public static unsafe partial class UnixSocket
{
    /// <summary>
    /// sun_path is 108 bytes and holds the path with its terminating NUL
    /// (unix(7)), so a path has at most 107 bytes.
    /// </summary>
    public const int MaxPathBytes = 107;

    private const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000;
    private const int SockaddrUnSize = 2 + 108;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(SafeSocketHandle socket, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int Listen(SafeSocketHandle socket, int backlog);

    /// <summary>Why <paramref name="path"/> cannot name a unix socket, or null when it can.</summary>
    public static string? CheckPath(string path)
    {
        if (path.Length == 0)
            return "the socket path is empty";
        if (path.Contains('\0'))
            return "the socket path contains a NUL byte";
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
            return $"the socket path is {bytes} bytes long; a unix socket path has at most {MaxPathBytes} bytes";
        return null;
    }

    /// <summary>
    /// Binds a socket to <paramref name="path"/> and listens. Throws
    /// <see cref="ArgumentException"/> for a path <see cref="CheckPath"/>
    /// refuses and <see cref="PosixException"/> ("bind: No such file or
    /// directory (errno 2)") when the kernel refuses.
    /// </summary>
    public static Socket ListenOn(string path, int backlog)
    {
        if (CheckPath(path) is { } problem)
            throw new ArgumentException(problem, nameof(path));
        byte* address = stackalloc byte[SockaddrUnSize];
        new Span<byte>(address, SockaddrUnSize).Clear();
        *(ushort*)address = AfUnix;
        int length = Encoding.UTF8.GetBytes(path, new Span<byte>(address + 2, MaxPathBytes));
        int fd = Socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
            Sys.Throw("socket(AF_UNIX)");
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            if (Bind(handle, address, 2 + length + 1) != 0)
                Sys.Throw("bind");
            if (Listen(handle, backlog) != 0)
                Sys.Throw("listen");
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new Socket(handle);
    }
}
