using Emu.Core.Posix;
using System.Runtime.InteropServices;

namespace Emu.Devices.Net;

/// <summary>The tun/tap interface of Linux (linux/if_tun.h).</summary>
internal static unsafe partial class TapNative
{
    public const uint TUNSETIFF = 0x400454CA;
    public const uint TUNSETVNETHDRSZ = 0x400454D8;
    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint writev(FileDescriptor fd, Emu.Core.Posix.IoVec* iov, int iovcnt);
}
