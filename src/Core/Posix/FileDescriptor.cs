using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// An owned file descriptor. Closed exactly once when disposed or finalized.
/// </summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd, bool ownsHandle = true)
        : base(new IntPtr(-1), ownsHandle)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor number, for system calls. Valid while this object lives.</summary>
    public int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => LibC.close((int)handle.ToInt64()) == 0;
}
