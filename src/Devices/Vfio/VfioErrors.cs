using Emu.Core.Machines;
using Emu.Core.Posix;

namespace Emu.Devices.Vfio;

/// <summary>One-line messages for the ways opening a VFIO file fails.</summary>
internal static class VfioErrors
{
    public static MachineConfigurationException OpenFailed(string who, string path, PosixException e) => e.Errno switch
    {
        LibC.ENOENT => new MachineConfigurationException($"{who}: {path} does not exist (is the vfio-pci module loaded?)", e),
        LibC.EACCES or LibC.EPERM => new MachineConfigurationException($"{who}: permission denied opening {path} (run as root, or give this user the device node)", e),
        LibC.EBUSY => new MachineConfigurationException($"{who}: {path} is busy: the device is already in use (by another VMM, or twice on this command line)", e),
        _ => new MachineConfigurationException($"{who}: cannot open {path}: {e.Message}", e),
    };

    public static MachineConfigurationException InUse(string who, PosixException e) =>
        new($"{who}: the device is already in use (by another VMM, or twice on this command line): {e.Message}", e);
}
