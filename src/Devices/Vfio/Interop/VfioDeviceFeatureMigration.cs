using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_device_feature_migration (VFIO_DEVICE_FEATURE_MIGRATION): which
/// optional parts of the migration state machine the device has. STOP_COPY is
/// the base (STOP, RUNNING, STOP_COPY, RESUMING); P2P adds RUNNING_P2P (the
/// device quiesces its outgoing peer-to-peer DMA first); PRE_COPY adds the
/// PRE_COPY states, in which the device streams data while it runs.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeatureMigration
{
    public const ulong StopCopy = 1 << 0;
    public const ulong P2p = 1 << 1;
    public const ulong PreCopy = 1 << 2;

    public ulong Flags;
}
