using System.Text;
using Emu.Core.Machines;
using Emu.Core.Pci;

namespace Emu.Devices.Vfio;

/// <summary>
/// A host PCI function as sysfs shows it (/sys/bus/pci/devices/DDDD:BB:DD.F):
/// the driver it is bound to, its IOMMU group and, on Linux 6.6+, its VFIO
/// device cdev. Checked before any VFIO file is opened, so a wrong setup is
/// reported as one line saying what to do rather than as an errno.
/// </summary>
internal sealed class VfioHostDevice
{
    private const string SysPciDevices = "/sys/bus/pci/devices";
    private const string SysIommuGroups = "/sys/kernel/iommu_groups";

    private VfioHostDevice(PciAddress address, string name, string? driver, int? group)
    {
        Address = address;
        Name = name;
        Driver = driver;
        Group = group;
    }

    public PciAddress Address { get; }

    /// <summary>The canonical name, "0000:01:00.0", as VFIO_GROUP_GET_DEVICE_FD wants it.</summary>
    public string Name { get; }

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
        return new VfioHostDevice(address, name, driver, group);
    }

    /// <summary>The VFIO device cdev (/dev/vfio/devices/vfioN), or null when the kernel has none (before 6.6, or CONFIG_VFIO_DEVICE_CDEV off).</summary>
    public string? FindDeviceCdev(IVfioSystem system)
    {
        foreach (string entry in system.ListDirectory($"{SysPciDevices}/{Name}/vfio-dev"))
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
