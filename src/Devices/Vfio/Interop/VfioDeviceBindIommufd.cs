using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_device_bind_iommufd (VFIO_DEVICE_BIND_IOMMUFD, Linux 6.6+): binds
/// a device cdev to an iommufd; the kernel returns the device's id inside it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceBindIommufd
{
    public uint Argsz;
    public uint Flags;
    public int Iommufd;
    public uint OutDevid;
}
