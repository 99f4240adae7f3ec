using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Core.Tests.Memory;

// GuestMemory.TryFindUnpopulated (PageMap): private anonymous guest RAM that
// nothing read or wrote has no page behind it and reads as zero; a read maps
// the zero page and a write allocates one, and both count as populated. Shared
// RAM (a memfd) cannot be judged from this process's page tables.
public sealed class UnpopulatedRamTests
{
    private const int Pages = 8;

    // 32 KiB: too small for a huge page, so touching one page populates only that one.
    private static (RamBlock Block, GuestMemory Memory) Ram(RamBlock block)
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("root", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("memory", root);
        root.AddSubregion(MemoryRegion.CreateRam("ram", block), 0x10000);
        return (block, GuestMemory.Follow(space));
    }

    private static bool[] Unpopulated(GuestMemory memory)
    {
        bool[] unpopulated = new bool[Pages];
        Assert.True(memory.TryFindUnpopulated(new GuestAddress(0x10000), unpopulated));
        return unpopulated;
    }

    [Fact]
    public void Pages_nothing_touched_are_unpopulated_and_a_read_or_a_write_populates_one()
    {
        Assert.True(PageMap.Available, "/proc/self/pagemap cannot be opened");
        (RamBlock block, GuestMemory memory) = Ram(new RamBlock("pagemap-probe", Pages * 4096));
        using (block)
        {
            Assert.All(Unpopulated(memory), Assert.True);
            memory.Write(new GuestAddress(0x12000), (byte)7);
            Assert.Equal(0, memory.Read<byte>(new GuestAddress(0x15000)));
            Assert.Equal([true, true, false, true, true, false, true, true], Unpopulated(memory));
        }
    }

    [Fact]
    public void Shared_RAM_and_ranges_outside_RAM_or_misaligned_are_not_judged()
    {
        int fd = LibC.memfd_create("pagemap-shared", LibC.MFD_CLOEXEC);
        Assert.True(fd >= 0);
        Assert.Equal(0, LibC.ftruncate(fd, Pages * 4096));
        (RamBlock shared, GuestMemory memory) = Ram(new RamBlock("shared", Pages * 4096, new FileDescriptor(fd), new RamBlockOptions { Shared = true }));
        using (shared)
            Assert.False(memory.TryFindUnpopulated(new GuestAddress(0x10000), new bool[Pages]));

        (RamBlock block, GuestMemory privateRam) = Ram(new RamBlock("private", Pages * 4096));
        using (block)
        {
            Assert.False(privateRam.TryFindUnpopulated(new GuestAddress(0x10800), new bool[1]));
            Assert.False(privateRam.TryFindUnpopulated(new GuestAddress(0x14000), new bool[Pages]));
            Assert.False(privateRam.TryFindUnpopulated(new GuestAddress(0), new bool[1]));
        }
    }
}
