using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_device_feature_mig_data_size: the device's estimate of its STOP_COPY data, in bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigDataSize
{
    public ulong StopCopyLength;
}
