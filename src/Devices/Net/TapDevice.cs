using System.Runtime.InteropServices;
using System.Text;
using Emu.Core.Posix;

namespace Emu.Devices.Net;

/// <summary>
/// A host tap interface (/dev/net/tun, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR):
/// every frame read or written starts with a 12-byte virtio-net header
/// (struct virtio_net_hdr_mrg_rxbuf), so frames pass between the tap and the
/// guest's buffers without conversion. Non-blocking.
/// </summary>
public sealed unsafe class TapDevice : INetBackend, IDisposable
{
    public const int VnetHeaderSize = 12;

    private readonly FileDescriptor _fd;

    private TapDevice(FileDescriptor fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The interface name the kernel gave (or kept).</summary>
    public string Name { get; }

    public FileDescriptor Handle => _fd;

    /// <summary>Attaches to (or creates) tap interface <paramref name="name"/>; throws <see cref="IOException"/> with the reason.</summary>
    public static TapDevice Open(string? name)
    {
        int fd = LibC.open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"could not open /dev/net/tun: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
        var handle = new FileDescriptor(fd);
        try
        {
            // struct ifreq: char ifr_name[16], then short ifr_flags (40 bytes in all).
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            if (name != null)
            {
                if (name.Length >= 16)
                    throw new IOException($"tap name '{name}' is longer than 15 characters");
                Encoding.ASCII.GetBytes(name, new Span<byte>(ifr, 15));
            }
            *(short*)(ifr + 16) = TapNative.IFF_TAP | TapNative.IFF_NO_PI | TapNative.IFF_VNET_HDR;
            if (LibC.ioctl(handle, TapNative.TUNSETIFF, ifr) < 0)
                throw new IOException($"could not configure tap '{name}': {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
            int size = VnetHeaderSize;
            if (LibC.ioctl(handle, TapNative.TUNSETVNETHDRSZ, &size) < 0)
                throw new IOException($"tap '{name}': cannot set the virtio-net header size: {LibC.ErrorText(Marshal.GetLastPInvokeError())}");
            string actual = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(ifr, 16)).TrimEnd('\0');
            return new TapDevice(handle, actual);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads one frame (header included); 0 when none is waiting, -1 on an error.</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = LibC.read(_fd, p, (nuint)buffer.Length);
                if (n >= 0)
                    return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                    continue;
                return errno == LibC.EAGAIN ? 0 : -1;
            }
        }
    }

    /// <summary>Writes one frame gathered from <paramref name="iov"/>; false when dropped.</summary>
    public bool Write(Emu.Core.Posix.IoVec* iov, int count)
    {
        while (true)
        {
            nint n = TapNative.writev(_fd, iov, count);
            if (n >= 0)
                return true;
            if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                return false;
        }
    }

    public void Dispose() => _fd.Dispose();
}
