using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Host.Qmp.Platform;

/// <summary>
/// Probes /dev/net/tun the way a VMM finds out what a tap backend can do:
/// TUNGETFEATURES gives the interface flags the driver knows; then a
/// throw-away tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, gone when its file is
/// closed) is asked to take each offload with TUNSETOFFLOAD. Offloads the
/// kernel refuses (USO before Linux 6.2, for instance) are not offered to
/// guests, so a management tool can pick a set every host of a cluster supports.
/// </summary>
internal static unsafe partial class TapProbe
{
    private const string TunDevice = "/dev/net/tun";
    private const uint TunSetIff = 0x400454CA;       // _IOW('T', 202, int)
    private const uint TunGetFeatures = 0x800454CF;  // _IOR('T', 207, unsigned int)
    private const uint TunSetOffload = 0x400454D0;   // _IOW('T', 208, unsigned int)
    private const short IffTap = 0x0002, IffNoPi = 0x1000, IffVnetHdr = 0x4000;
    private const int IfReqSize = 40;                // struct ifreq: 16-byte name, then the union
    private const int OReadWrite = 2, OCloseOnExec = 0x80000;

    private static readonly (uint Flag, string Name)[] s_features =
    {
        (0x0001, "tun"), (0x0002, "tap"), (0x0010, "napi"), (0x0020, "napi-frags"), (0x0040, "no-carrier"),
        (0x0100, "multi-queue"), (0x0800, "persist"), (0x1000, "no-pi"), (0x2000, "one-queue"), (0x4000, "vnet-hdr"),
    };

    // TUN_F_* offloads and the set each is probed with: the kernel takes
    // segmentation offloads only together with checksum offload, ECN only with
    // a TSO, and UDP segmentation only for IPv4 and IPv6 at once (see
    // tun_set_offload in drivers/net/tun.c); unknown bits are refused (EINVAL).
    private const uint Csum = 0x01, Tso4 = 0x02, Tso6 = 0x04, TsoEcn = 0x08, Ufo = 0x10, Uso4 = 0x20, Uso6 = 0x40;

    private static readonly (uint Probe, string[] Names)[] s_offloads =
    {
        (Csum, new[] { "csum" }),
        (Csum | Tso4, new[] { "tso4" }),
        (Csum | Tso6, new[] { "tso6" }),
        (Csum | Tso4 | Tso6 | TsoEcn, new[] { "tso-ecn" }),
        (Csum | Ufo, new[] { "ufo" }),
        (Csum | Uso4 | Uso6, new[] { "uso4", "uso6" }),
    };

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(FileDescriptor fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlValue(FileDescriptor fd, nuint request, nuint argument);

    public static TapCapabilities Probe()
    {
        if (!File.Exists(TunDevice))
            return new TapCapabilities(false, Array.Empty<string>(), null, $"{TunDevice} does not exist");
        int number = Open(TunDevice, OReadWrite | OCloseOnExec);
        if (number < 0)
            return new TapCapabilities(true, Array.Empty<string>(), null, $"{TunDevice} cannot be opened (errno {Marshal.GetLastPInvokeError()})");
        using var fd = new FileDescriptor(number);
        uint features = 0;
        if (Ioctl(fd, TunGetFeatures, &features) < 0)
            return new TapCapabilities(true, Array.Empty<string>(), null, $"TUNGETFEATURES failed (errno {Marshal.GetLastPInvokeError()})");
        uint known = features;
        string[] featureNames = s_features.Where(f => (known & f.Flag) != 0).Select(f => f.Name).ToArray();
        byte* request = stackalloc byte[IfReqSize];
        new Span<byte>(request, IfReqSize).Clear();
        *(short*)(request + 16) = IffTap | IffNoPi | IffVnetHdr;
        if (Ioctl(fd, TunSetIff, request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string why = errno == 1 ? "creating a tap needs CAP_NET_ADMIN" : $"TUNSETIFF failed (errno {errno})";
            return new TapCapabilities(true, featureNames, null, why);
        }
        var offloads = new List<string>();
        foreach ((uint probe, string[] names) in s_offloads)
        {
            if (IoctlValue(fd, TunSetOffload, probe) == 0)
                offloads.AddRange(names);
        }
        return new TapCapabilities(true, featureNames, offloads, null);
    }
}
