using Emu.Core.Machines;

namespace Emu.Devices.Vfio;

/// <summary>
/// How a host device is opened and put into an IOMMU domain whose mappings
/// mirror guest RAM: the VFIO group and type1 container path, or the iommufd
/// path with the device cdev. Everything after opening is the same for both.
/// </summary>
internal interface IVfioBackend
{
    VfioAttachment Attach(VfioHostDevice host, Machine machine, string who);
}
