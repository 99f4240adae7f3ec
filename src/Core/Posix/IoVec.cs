using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>struct iovec: one piece of a scatter-gather list, as preadv/pwritev take it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IoVec
{
    public nint Base;
    public nuint Length;

    public IoVec(nint baseAddress, nuint length)
    {
        Base = baseAddress;
        Length = length;
    }
}
