using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Accel.Tests;

/// <summary>
/// The C library's struct statfs and the mmap, madvise, memfd and fcntl
/// constants that guest RAM uses, checked against the system headers compiled by gcc.
/// </summary>
public sealed class PosixLayoutTests
{
    private static readonly (string C, long Cs)[] s_constants =
    {
        ("MAP_SHARED", LibC.MAP_SHARED), ("MAP_PRIVATE", LibC.MAP_PRIVATE), ("MAP_FIXED", LibC.MAP_FIXED),
        ("MAP_ANONYMOUS", LibC.MAP_ANONYMOUS), ("MAP_NORESERVE", LibC.MAP_NORESERVE),
        ("MADV_DONTFORK", LibC.MADV_DONTFORK), ("MADV_MERGEABLE", LibC.MADV_MERGEABLE), ("MADV_HUGEPAGE", LibC.MADV_HUGEPAGE),
        ("MADV_DONTDUMP", LibC.MADV_DONTDUMP), ("MADV_POPULATE_WRITE", LibC.MADV_POPULATE_WRITE),
        ("MFD_CLOEXEC", LibC.MFD_CLOEXEC), ("MFD_ALLOW_SEALING", LibC.MFD_ALLOW_SEALING), ("MFD_HUGETLB", LibC.MFD_HUGETLB),
        ("MFD_HUGE_SHIFT", LibC.MFD_HUGE_SHIFT),
        ("F_ADD_SEALS", LibC.F_ADD_SEALS), ("F_SEAL_SEAL", LibC.F_SEAL_SEAL), ("F_SEAL_SHRINK", LibC.F_SEAL_SHRINK), ("F_SEAL_GROW", LibC.F_SEAL_GROW),
        ("HUGETLBFS_MAGIC", LibC.HUGETLBFS_MAGIC), ("SEEK_END", LibC.SEEK_END),
        ("ENOMEM", LibC.ENOMEM), ("EEXIST", LibC.EEXIST), ("ENODEV", LibC.ENODEV), ("EISDIR", LibC.EISDIR), ("EROFS", LibC.EROFS),
    };

    private static readonly Lazy<Dictionary<string, ulong>> s_c = new(() => CLayoutProbe.Run(
        "#include <sys/mman.h>\n#include <sys/vfs.h>\n#include <errno.h>\n#include <unistd.h>\n#include <linux/magic.h>\n#include <linux/memfd.h>\n#include <linux/fcntl.h>",
        new[] { "SIZE(statfs)", "OFF(statfs, f_type)", "OFF(statfs, f_bsize)" }.Concat(s_constants.Select(c => $"CONST({c.C})"))));

    [Fact]
    public void Statfs_matches_the_C_library()
    {
        Assert.Equal(s_c.Value["sizeof statfs"], (ulong)Marshal.SizeOf<StatFs>());
        Assert.Equal(s_c.Value["offsetof statfs.f_type"], (ulong)Marshal.OffsetOf<StatFs>(nameof(StatFs.Type)));
        Assert.Equal(s_c.Value["offsetof statfs.f_bsize"], (ulong)Marshal.OffsetOf<StatFs>(nameof(StatFs.BlockSize)));
    }

    [Fact]
    public void Constants_match_the_C_library()
    {
        foreach ((string c, long cs) in s_constants)
            Assert.True(s_c.Value[$"const {c}"] == (ulong)cs, $"{c}: C {s_c.Value[$"const {c}"]}, C# {cs}");
    }
}
