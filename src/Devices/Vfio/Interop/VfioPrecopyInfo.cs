using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_precopy_info (VFIO_MIG_GET_PRECOPY_INFO on a PRE_COPY data fd):
/// the bytes of initial data still to read and an estimate of the state the
/// running device has changed since (dirty).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioPrecopyInfo
{
    public uint Argsz;
    public uint Flags;
    public ulong InitialBytes;
    public ulong DirtyBytes;
}
