using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.Chardev;

/// <summary>Writes all bytes to a descriptor at its position (a file, a pipe, a terminal), through the one transfer loop (<see cref="FileIo"/>).</summary>
internal static unsafe class FdWriter
{
    /// <summary>Standard output, not owned (never closed here).</summary>
    public static readonly FileDescriptor StandardOutput = new(1, ownsHandle: false);

    /// <summary>False when the descriptor failed (closed pipe, full disk...).</summary>
    public static bool WriteAll(SafeHandle fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
            return FileIo.Transfer(fd, FileIo.StreamWrite, p, data.Length, 0, out _) == FileIo.Complete;
    }
}
