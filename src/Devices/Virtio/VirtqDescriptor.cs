using System.Runtime.InteropServices;

namespace Emu.Devices.Virtio;

/// <summary>struct virtq_desc (virtio 1.2 section 2.7.5): one buffer of a chain, 16 bytes, little-endian.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct VirtqDescriptor
{
    /// <summary>VIRTQ_DESC_F_NEXT: the chain continues at <see cref="Next"/>.</summary>
    public const ushort FlagNext = 1;

    /// <summary>VIRTQ_DESC_F_WRITE: the device writes this buffer (otherwise it reads it).</summary>
    public const ushort FlagWrite = 2;

    /// <summary>VIRTQ_DESC_F_INDIRECT: the buffer is a table of descriptors.</summary>
    public const ushort FlagIndirect = 4;

    public ulong Address;
    public uint Length;
    public ushort Flags;
    public ushort Next;
}
