using System.Runtime.InteropServices;

namespace Emu.Core.Posix;

/// <summary>
/// struct statfs of x86-64 Linux (120 bytes; checked against &lt;sys/vfs.h&gt;
/// by a test). Only the file system's magic and block size are read: the
/// block size of hugetlbfs is its huge page size.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 120)]
public struct StatFs
{
    public long Type;
    public long BlockSize;
}
