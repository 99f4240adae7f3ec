using System.Runtime.InteropServices;

namespace Emu.Devices.HostIo;

/// <summary>struct epoll_event as x86-64 Linux lays it out: packed, 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct EpollEvent
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;

    public uint Events;
    public ulong Data;
}
