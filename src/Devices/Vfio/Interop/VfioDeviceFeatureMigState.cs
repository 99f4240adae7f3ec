using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_device_feature_mig_state (VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE):
/// the state to enter (SET) or the current one (GET), and the data fd the
/// kernel returns when the new state streams data (PRE_COPY, STOP_COPY,
/// RESUMING; -1 otherwise, and -1 when PRE_COPY's fd carries on into STOP_COPY).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigState
{
    public uint DeviceState;
    public int DataFd;
}
