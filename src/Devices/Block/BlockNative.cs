using Emu.Core.Posix;
using System.Runtime.InteropServices;

namespace Emu.Devices.Block;

/// <summary>Vectored file I/O and block-range calls not in Core's LibC.</summary>
internal static unsafe partial class BlockNative
{
    public const int FALLOC_FL_KEEP_SIZE = 0x01;
    public const int FALLOC_FL_PUNCH_HOLE = 0x02;
    public const int FALLOC_FL_ZERO_RANGE = 0x10;
    public const int EOPNOTSUPP = 95;

    /// <summary>syscall(2) with five arguments (io_getevents).</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial nint syscall5(nint number, nint a1, nint a2, nint a3, nint a4, nint a5);
}
