using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct vfio_irq_info (VFIO_DEVICE_GET_IRQ_INFO).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIrqInfo
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint Count;

    public const uint FlagEventfd = 1 << 0;
    public const uint FlagMaskable = 1 << 1;
    public const uint FlagAutomasked = 1 << 2;
    public const uint FlagNoresize = 1 << 3;
}
