using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

// Guest RAM asks the kernel for transparent huge pages (VM_HUGEPAGE, "hg" in the
// mapping's VmFlags in /proc/self/smaps), so KVM and VFIO can map it with 2 MiB entries
// wherever the host allows shmem huge pages.
public sealed class RamBlockHugePageTests
{
    [Fact]
    public void Guest_RAM_mappings_carry_the_huge_page_advice()
    {
        using var block = new RamBlock("thp-probe", 4UL << 20);
        string start = ((ulong)block.HostAddress).ToString("x");
        string[] smaps = File.ReadAllLines("/proc/self/smaps");
        int at = Array.FindIndex(smaps, l => l.StartsWith(start + "-", StringComparison.Ordinal));
        Assert.True(at >= 0, $"no mapping at 0x{start} in /proc/self/smaps");
        string? flags = smaps.Skip(at + 1).TakeWhile(l => !char.IsAsciiHexDigit(l[0]) || l.Contains(':')).FirstOrDefault(l => l.StartsWith("VmFlags:", StringComparison.Ordinal));
        Assert.NotNull(flags);
        Assert.Contains(" hg", flags);
    }
}
