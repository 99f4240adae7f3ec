using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// struct vfio_irq_set without its flexible data array (VFIO_DEVICE_SET_IRQS):
/// for DATA_EVENTFD, <see cref="Count"/> 32-bit fds follow (-1 tears one down);
/// for DATA_BOOL, <see cref="Count"/> bytes; for DATA_NONE, nothing.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIrqSet
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint Start;
    public uint Count;

    public const uint DataNone = 1 << 0;
    public const uint DataBool = 1 << 1;
    public const uint DataEventfd = 1 << 2;
    public const uint ActionMask = 1 << 3;
    public const uint ActionUnmask = 1 << 4;
    public const uint ActionTrigger = 1 << 5;
}
