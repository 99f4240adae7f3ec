using System.Runtime.InteropServices;

namespace Emu.Devices.Block;

/// <summary>struct io_event: one completion (data of the iocb, result bytes or -errno).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoEvent
{
    public ulong Data;
    public ulong Object;
    public long Result;
    public long Result2;
}
