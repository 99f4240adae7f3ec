using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_device_feature, the header of VFIO_DEVICE_FEATURE (Linux 5.18+):
/// argsz, then flags holding the feature index (low 16 bits) and one of
/// GET/SET/PROBE; the feature's own struct follows it as data[].
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceFeature
{
    public const uint FeatureMask = 0xFFFF;
    public const uint FlagGet = 1u << 16;
    public const uint FlagSet = 1u << 17;
    public const uint FlagProbe = 1u << 18;

    /// <summary>VFIO_DEVICE_FEATURE_MIGRATION: GET gives struct vfio_device_feature_migration.</summary>
    public const uint Migration = 1;

    /// <summary>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE: GET/SET struct vfio_device_feature_mig_state.</summary>
    public const uint MigDeviceState = 2;

    /// <summary>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: GET struct vfio_device_feature_mig_data_size.</summary>
    public const uint MigDataSize = 9;

    public uint Argsz;
    public uint Flags;
}
