namespace Emu.Host.Qmp.Platform;

/// <summary>
/// Passthrough support on the host: the VFIO container device and groups,
/// the newer per-device character devices (/dev/vfio/devices/vfioN, Linux
/// 6.6+), the iommufd device (/dev/iommu), and how many IOMMU groups exist.
/// </summary>
internal sealed record VfioCapabilities(bool Container, IReadOnlyList<string> Groups, IReadOnlyList<string> DeviceCdevs, int IommuGroups, bool Iommufd, bool VfioPciDriver)
{
    public static VfioCapabilities Probe()
    {
        string[] groups = Directory.Exists("/dev/vfio")
            ? Directory.GetFiles("/dev/vfio").Select(Path.GetFileName).Where(n => n != null && n.All(char.IsAsciiDigit)).Select(n => n!).Order(StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();
        string[] cdevs = Directory.Exists("/dev/vfio/devices")
            ? Directory.GetFiles("/dev/vfio/devices").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray()
            : Array.Empty<string>();
        int iommuGroups = Directory.Exists("/sys/kernel/iommu_groups") ? Directory.GetDirectories("/sys/kernel/iommu_groups").Length : 0;
        return new VfioCapabilities(
            File.Exists("/dev/vfio/vfio"),
            groups,
            cdevs,
            iommuGroups,
            File.Exists("/dev/iommu"),
            Directory.Exists("/sys/bus/pci/drivers/vfio-pci"));
    }
}
