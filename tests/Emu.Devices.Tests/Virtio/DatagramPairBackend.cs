using System.Runtime.InteropServices;
using Emu.Core.Posix;
using Emu.Devices.Block;
using Emu.Devices.Net;

namespace Emu.Devices.Tests.Virtio;

/// <summary>
/// A network backend on one end of a datagram socket pair: each datagram is
/// a frame (virtio-net header included), as a tap delivers them; the test
/// holds the other end (the "wire").
/// </summary>
internal sealed unsafe partial class DatagramPairBackend : INetBackend, IDisposable
{
    private readonly FileDescriptor _device;
    private readonly FileDescriptor _wire;

    public DatagramPairBackend()
    {
        int* fds = stackalloc int[2];
        // AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC
        if (socketpair(1, 2 | 0x800 | 0x80000, 0, fds) < 0)
            Sys.Throw("socketpair");
        _device = new FileDescriptor(fds[0]);
        _wire = new FileDescriptor(fds[1]);
    }

    public FileDescriptor Handle => _device;

    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = LibC.read(_device, p, (nuint)buffer.Length);
            return n >= 0 ? (int)n : Marshal.GetLastPInvokeError() == LibC.EAGAIN ? 0 : -1;
        }
    }

    public bool Write(IoVec* iov, int count) => writev(_device, iov, count) >= 0;

    /// <summary>Puts a frame on the wire towards the device.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            // No Assert here: it allocates, and allocation tests send frames.
            if (LibC.write(_wire, p, (nuint)frame.Length) != frame.Length)
                throw new IOException("the test wire refused a frame");
        }
    }

    /// <summary>Takes the next frame the device sent, or null.</summary>
    public byte[]? Receive()
    {
        byte[] buffer = new byte[70000];
        fixed (byte* p = buffer)
        {
            nint n = LibC.read(_wire, p, (nuint)buffer.Length);
            return n < 0 ? null : buffer.AsSpan(0, (int)n).ToArray();
        }
    }

    public void Dispose()
    {
        _device.Dispose();
        _wire.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint writev(FileDescriptor fd, IoVec* iov, int count);
}
