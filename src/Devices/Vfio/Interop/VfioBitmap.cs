using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_bitmap: one bit per page of <see cref="PageSize"/> bytes, <see cref="Size"/> bytes long at user address <see cref="Data"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioBitmap
{
    public ulong PageSize;
    public ulong Size;
    public ulong Data;
}
