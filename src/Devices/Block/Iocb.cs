using System.Runtime.InteropServices;

namespace Emu.Devices.Block;

/// <summary>struct iocb of the Linux AIO interface (linux/aio_abi.h), 64 bytes, little-endian x86-64 layout.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Iocb
{
    public const ushort CmdPreadv = 7;
    public const ushort CmdPwritev = 8;
    public const uint FlagResfd = 1;

    public ulong Data;
    public uint Key;
    public int RwFlags;
    public ushort Opcode;
    public short RequestPriority;
    public uint FileDescriptor;
    public ulong Buffer;
    public ulong Count;
    public long Offset;
    public ulong Reserved2;
    public uint Flags;
    public uint ResultFd;
}
