using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_info_cap_header: one link of the capability chain that follows
/// an info struct. <see cref="Next"/> is the offset of the next header from the
/// start of the info struct, 0 at the end.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioInfoCapHeader
{
    public ushort Id;
    public ushort Version;
    public uint Next;
}
