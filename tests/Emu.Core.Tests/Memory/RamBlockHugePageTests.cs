using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Core.Tests.Memory;

// Guest RAM is private anonymous memory that asks for transparent huge pages
// (VM_HUGEPAGE, "hg" in the mapping's VmFlags in /proc/self/smaps) and starts on a
// 2 MiB boundary, so the kernel can back each 2 MiB of it with one huge page and
// KVM and VFIO can map it with 2 MiB entries.
public sealed class RamBlockHugePageTests
{
    private static string[] MappingOf(RamBlock block)
    {
        string start = ((ulong)block.HostAddress).ToString("x");
        string[] smaps = File.ReadAllLines("/proc/self/smaps");
        int at = Array.FindIndex(smaps, l => l.StartsWith(start + "-", StringComparison.Ordinal));
        Assert.True(at >= 0, $"no mapping at 0x{start} in /proc/self/smaps");
        int end = Array.FindIndex(smaps, at + 1, l => l.StartsWith("VmFlags:", StringComparison.Ordinal));
        return smaps[at..(end + 1)];
    }

    [Fact]
    public void Guest_RAM_mappings_carry_the_huge_page_advice_and_are_private()
    {
        using var block = new RamBlock("thp-probe", 4UL << 20);
        string[] mapping = MappingOf(block);
        Assert.Contains(" hg", mapping[^1]);
        Assert.Contains(" dc", mapping[^1]); // MADV_DONTFORK
        Assert.DoesNotContain(" sh", mapping[^1]);
        Assert.Null(block.File);
        Assert.Equal(0UL, (ulong)block.HostAddress % RamBlock.HugePageAlignment);
    }

    [Fact]
    public void Touching_an_aligned_2_MiB_range_gives_it_a_huge_page_under_the_madvise_default()
    {
        string mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
        Assert.DoesNotContain("[never]", mode);
        using var block = new RamBlock("thp-touch", 4UL << 20);
        block.AsSpan(0, 1)[0] = 1;
        string? huge = MappingOf(block).FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
        Assert.Equal("AnonHugePages:", huge?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.NotEqual("0", huge!.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    [Fact]
    public void A_shared_file_block_writes_through_to_the_file()
    {
        int fd = LibC.memfd_create("shared-probe", LibC.MFD_CLOEXEC);
        Assert.True(fd >= 0);
        var file = new FileDescriptor(fd);
        Assert.Equal(0, LibC.ftruncate(fd, 4 << 20));
        using var block = new RamBlock("shared-probe", 4UL << 20, file, new RamBlockOptions { Shared = true });
        block.AsSpan(0x1234, 4).Fill(0xA5);
        byte[] read = new byte[4];
        Sys.PreadExact(file, read, 0x1234, "pread");
        Assert.Equal(new byte[] { 0xA5, 0xA5, 0xA5, 0xA5 }, read);
        Assert.Contains(" sh", MappingOf(block)[^1]);
    }
}
