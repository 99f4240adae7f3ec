using System.Runtime.InteropServices;

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

    // TUN_F_* offloads; the segmentation ones need checksum offload too.
    private static readonly (uint Flag, string Name)[] s_offloads =
    {
        (0x01, "csum"), (0x02, "tso4"), (0x04, "tso6"), (0x08, "tso-ecn"), (0x10, "ufo"), (0x20, "uso4"), (0x40, "uso6"),
    };

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlValue(int fd, nuint request, nuint argument);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public static TapCapabilities Probe()
    {
        if (!File.Exists(TunDevice))
            return new TapCapabilities(false, Array.Empty<string>(), null, $"{TunDevice} does not exist");
        int fd = Open(TunDevice, OReadWrite | OCloseOnExec);
        if (fd < 0)
            return new TapCapabilities(true, Array.Empty<string>(), null, $"{TunDevice} cannot be opened (errno {Marshal.GetLastPInvokeError()})");
        try
        {
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
            foreach ((uint flag, string name) in s_offloads)
            {
                uint with = flag == 0x01 ? flag : flag | 0x01;
                if (IoctlValue(fd, TunSetOffload, with) == 0)
                    offloads.Add(name);
            }
            return new TapCapabilities(true, featureNames, offloads, null);
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
