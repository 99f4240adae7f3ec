using System.Runtime.InteropServices;

namespace Emu.Lab;

public static partial class LabRequirements
{
    // Null when this process can create a network namespace with a tap device inside
    // (`ip netns add`, `ip tuntap add`): Linux, root, `ip` on the PATH, /dev/net/tun.
    public static string? NetnsMissingReason
    {
        get
        {
            if (!OperatingSystem.IsLinux())
                return "network namespaces need Linux";
            if (GetEffectiveUserId() != 0)
                return "creating a network namespace and a tap device needs root (id -u is not 0)";
            if (IpPath is null)
                return "iproute2's ip is not on the PATH (Debian package iproute2)";
            if (!File.Exists("/dev/net/tun"))
                return "/dev/net/tun does not exist (no tun/tap support)";
            return null;
        }
    }

    // iproute2's ip, or null.
    public static string? IpPath =>
        new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists) ?? LabEnvironment.FindOnPath("ip");

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
