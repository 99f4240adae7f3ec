using Emu.Core.Machines;
using Emu.Core.Posix;

namespace Emu.Devices.Vfio;

/// <summary>
/// The iommufd path (Linux 6.6+): the device's cdev /dev/vfio/devices/vfioN is
/// opened directly, bound to the iommufd of an -object iommufd
/// (VFIO_DEVICE_BIND_IOMMUFD) and attached to its IOAS
/// (VFIO_DEVICE_ATTACH_IOMMUFD_PT). No group is opened; the device file itself
/// is what KVM is told about. Viability is the kernel's business here: binding
/// fails while another driver in the group holds DMA ownership.
/// </summary>
internal sealed class VfioIommufdBackend : IVfioBackend
{
    private readonly IommufdBackend _iommufd;
    private readonly IVfioSystem _system;

    public VfioIommufdBackend(IommufdBackend iommufd, IVfioSystem system)
    {
        _iommufd = iommufd;
        _system = system;
    }

    public VfioAttachment Attach(VfioHostDevice host, Machine machine, string who)
    {
        string cdev = host.FindDeviceCdev(_system)
            ?? throw new MachineConfigurationException($"{who}: the device has no VFIO device cdev (/dev/vfio/devices/vfioN needs Linux 6.6+ with CONFIG_VFIO_DEVICE_CDEV); drop iommufd= to use the VFIO group path");
        IommufdDomain domain = _iommufd.Acquire(machine, who);
        FileDescriptor? device = null;
        try
        {
            try
            {
                device = _system.Open(cdev, LibC.O_RDWR);
            }
            catch (PosixException e)
            {
                throw VfioErrors.OpenFailed(who, cdev, e);
            }
            try
            {
                _system.BindIommufd(device, domain.Handle);
            }
            catch (PosixException e) when (e.Errno == LibC.EBUSY)
            {
                throw VfioErrors.InUse(who, e);
            }
            catch (PosixException e) when (e.Errno == LibC.EINVAL || e.Errno == LibC.EPERM)
            {
                throw new MachineConfigurationException($"{who}: the kernel refused to bind the device to iommufd (is its IOMMU group viable? it has {VfioHostDevice.DescribeGroup(_system, host.Group ?? -1)}): {e.Message}", e);
            }
            _system.AttachIoas(device, domain.IoasId);
            domain.StartListening();
            return new VfioAttachment(device, device, "iommufd", _iommufd.Release);
        }
        catch
        {
            device?.Dispose();
            _iommufd.Release();
            throw;
        }
    }
}
