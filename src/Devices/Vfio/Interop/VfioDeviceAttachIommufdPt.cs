using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_device_attach_iommufd_pt (VFIO_DEVICE_ATTACH_IOMMUFD_PT): attach the device to an IOAS (or HWPT).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceAttachIommufdPt
{
    public uint Argsz;
    public uint Flags;
    public uint PtId;
}
