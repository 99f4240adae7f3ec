using System.Text;
using Emu.Core.Machines;
using Emu.Core.Pci;

namespace Emu.Devices.Vfio;

/// <summary>
/// A host device as sysfs shows it: a PCI function (/sys/bus/pci/devices/DDDD:BB:DD.F)
/// or a mediated device (/sys/bus/mdev/devices/UUID, a virtual function a
/// vendor driver carves out of a parent), with the driver it is bound to, its
/// IOMMU group and, on Linux 6.6+, its VFIO device cdev. Checked before any
/// VFIO file is opened, so a wrong setup is reported as one line saying what
/// to do rather than as an errno.
/// </summary>
internal sealed class VfioHostDevice
{
    private const string SysPciDevices = "/sys/bus/pci/devices";
    private const string SysIommuGroups = "/sys/kernel/iommu_groups";

    private const string SysMdevDevices = "/sys/bus/mdev/devices";

    private VfioHostDevice(string sysfsPath, string name, string? driver, int? group, string? mdevType)
    {
        SysfsPath = sysfsPath;
        Name = name;
        Driver = driver;
        Group = group;
        MdevType = mdevType;
    }

    /// <summary>The device's sysfs directory.</summary>
    public string SysfsPath { get; }

    /// <summary>
    /// The name VFIO_GROUP_GET_DEVICE_FD wants: the canonical PCI address
    /// ("0000:01:00.0"), or an mdev's UUID (its sysfs directory name).
    /// </summary>
    public string Name { get; }

    /// <summary>The mdev type ("mtty-2") of a mediated device, null for a PCI function.</summary>
    public string? MdevType { get; }

    public bool IsMediated => MdevType != null;

    public string? Driver { get; }

    public int? Group { get; }

    /// <summary>Parses a host= value: "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), with a function.</summary>
    public static PciAddress ParseAddress(string text)
    {
        if (text.Count(c => c == ':') is < 1 or > 2 || !text.Contains('.') || !PciAddress.TryParse(text, out PciAddress address))
            throw new MachineConfigurationException($"vfio-pci: host='{text}' is not a PCI address (expected DDDD:BB:DD.F, e.g. 0000:01:00.0)");
        return address;
    }

    /// <summary>Looks the function up in sysfs and checks it is bound to vfio-pci and has an IOMMU group.</summary>
    public static VfioHostDevice Locate(IVfioSystem system, PciAddress address)
    {
        string name = address.ToString();
        string dir = $"{SysPciDevices}/{name}";
        if (!system.Exists(dir))
            throw new MachineConfigurationException($"vfio-pci {name}: no such PCI device on this host (see lspci -D)");
        string? driver = system.ReadLinkName(dir + "/driver");
        if (driver != "vfio-pci")
        {
            string now = driver == null ? "is not bound to any driver" : $"is bound to {driver}";
            throw new MachineConfigurationException(
                $"vfio-pci {name}: the device {now}, not vfio-pci (bind it: echo vfio-pci > {dir}/driver_override; echo {name} > {dir}/driver/unbind; echo {name} > /sys/bus/pci/drivers_probe)");
        }
        string? groupName = system.ReadLinkName(dir + "/iommu_group");
        if (groupName == null || !int.TryParse(groupName, out int group))
            throw new MachineConfigurationException($"vfio-pci {name}: the device has no IOMMU group (enable the IOMMU: intel_iommu=on or amd_iommu=on on the host kernel command line)");
        return new VfioHostDevice(dir, name, driver, group, mdevType: null);
    }

    /// <summary>
    /// A sysfsdev= value (as QEMU's): the sysfs directory of a mediated device,
    /// /sys/bus/mdev/devices/UUID (a PCI function's directory is accepted too).
    /// An mdev has an mdev_type link and an iommu_group link of its own (the
    /// vfio mdev core gives each one a group of its own); its device name for
    /// VFIO_GROUP_GET_DEVICE_FD is the UUID.
    /// </summary>
    public static VfioHostDevice LocateSysfs(IVfioSystem system, string path)
    {
        string dir = path.TrimEnd('/');
        int slash = dir.LastIndexOf('/');
        string name = slash < 0 ? dir : dir[(slash + 1)..];
        if (!dir.StartsWith("/sys/", StringComparison.Ordinal) || name.Length == 0)
            throw new MachineConfigurationException($"vfio-pci: sysfsdev='{path}' is not a sysfs device directory (expected {SysMdevDevices}/UUID)");
        if (dir.StartsWith(SysPciDevices + "/", StringComparison.Ordinal) && PciAddress.TryParse(name, out PciAddress address))
            return Locate(system, address);
        if (!system.Exists(dir))
            throw new MachineConfigurationException(
                $"vfio-pci: sysfsdev='{path}' does not exist (create the mediated device first: echo UUID > /sys/class/mdev_bus/PARENT/mdev_supported_types/TYPE/create)");
        string? type = system.ReadLinkName(dir + "/mdev_type");
        if (type == null)
            throw new MachineConfigurationException($"vfio-pci: sysfsdev='{path}' is not a mediated device (it has no mdev_type); pass a PCI function as host=DDDD:BB:DD.F");
        string who = $"vfio-pci {name}";
        string? driver = system.ReadLinkName(dir + "/driver");
        if (driver == null)
            throw new MachineConfigurationException($"{who}: the mediated device ({type}) is bound to no driver (load its vendor driver's module)");
        string? groupName = system.ReadLinkName(dir + "/iommu_group");
        if (groupName == null || !int.TryParse(groupName, out int group))
            throw new MachineConfigurationException($"{who}: the mediated device has no IOMMU group (load the vfio and mdev modules before creating it)");
        return new VfioHostDevice(dir, name, driver, group, type);
    }

    /// <summary>The VFIO device cdev (/dev/vfio/devices/vfioN), or null when the kernel has none (before 6.6, or CONFIG_VFIO_DEVICE_CDEV off).</summary>
    public string? FindDeviceCdev(IVfioSystem system)
    {
        foreach (string entry in system.ListDirectory($"{SysfsPath}/vfio-dev"))
        {
            if (entry.StartsWith("vfio", StringComparison.Ordinal) && int.TryParse(entry.AsSpan(4), out _))
                return "/dev/vfio/devices/" + entry;
        }
        return null;
    }

    /// <summary>"0000:00:1f.2 (ahci), 0000:00:1f.3 (no driver)": the members of a group and their drivers, for the non-viable group error.</summary>
    public static string DescribeGroup(IVfioSystem system, int group)
    {
        var text = new StringBuilder();
        foreach (string member in system.ListDirectory($"{SysIommuGroups}/{group}/devices"))
        {
            string? driver = system.ReadLinkName($"{SysPciDevices}/{member}/driver");
            if (text.Length > 0)
                text.Append(", ");
            text.Append(member).Append(" (").Append(driver ?? "no driver").Append(')');
        }
        return text.ToString();
    }
}
