using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_group_status (VFIO_GROUP_GET_STATUS).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioGroupStatus
{
    public uint Argsz;
    public uint Flags;

    /// <summary>VFIO_GROUP_FLAGS_VIABLE: every device of the group is bound to a VFIO driver or to none.</summary>
    public const uint FlagViable = 1 << 0;

    /// <summary>VFIO_GROUP_FLAGS_CONTAINER_SET.</summary>
    public const uint FlagContainerSet = 1 << 1;
}
