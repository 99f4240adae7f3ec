using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Devices.Tests.Migration;

// Saving and restoring a VM gives host memory to no guest RAM the guest never
// touched: the source sends such pages as zero pages without reading them
// (a read would map the zero page), and the destination leaves them alone
// (PageMap, GuestMemory.TryFindUnpopulated). A restored VM is no bigger than
// the one saved, and every page still comes back with its contents.
public sealed class RamPopulationTests
{
    private static bool[] Unpopulated(GuestMemory ram)
    {
        var result = new List<bool>();
        foreach ((GuestAddress start, ulong size) in ram.Ranges)
        {
            for (ulong offset = 0; offset < size; offset += 512 * 4096)
            {
                bool[] chunk = new bool[(int)Math.Min(512, (size - offset) / 4096)];
                Assert.True(ram.TryFindUnpopulated(new GuestAddress(start.Value + offset), chunk), "guest RAM's pagemap could not be read");
                result.AddRange(chunk);
            }
        }
        return result.ToArray();
    }

    [Fact]
    public void A_snapshot_and_its_restore_populate_no_RAM_the_guest_never_touched()
    {
        Assert.True(PageMap.Available, "/proc/self/pagemap cannot be opened");
        using var source = new Q35TestVm();
        GuestMemory ram = source.Machine.Ram;
        ram.Write(new GuestAddress(0x403008), 0x1234_5678_9ABC_DEF0UL);
        ram.GetSpan(new GuestAddress(0x800000), 4096).Fill(0xEE);
        ram.GetSpan(new GuestAddress(0x800000), 4096).Clear(); // populated, and zero again
        bool[] saved = Unpopulated(ram);
        Assert.True(saved.Count(u => u) > saved.Length / 2, "most of the test VM's RAM should be untouched");

        byte[] stream = source.SaveStream();
        Assert.Equal(saved, Unpopulated(ram));

        using var destination = new Q35TestVm(incoming: true);
        bool[] fresh = Unpopulated(destination.Machine.Ram);
        Assert.True(destination.LoadStream(stream).Status == Core.Migration.MigrationStatus.Completed);
        bool[] loaded = Unpopulated(destination.Machine.Ram);
        for (int page = 0; page < saved.Length; page++)
        {
            if (saved[page] && fresh[page])
                Assert.True(loaded[page], $"loading the snapshot populated page 0x{page * 4096:x}, which the guest never touched");
        }

        Assert.Equal(0x1234_5678_9ABC_DEF0UL, destination.Machine.Ram.Read<ulong>(new GuestAddress(0x403008)));
        foreach ((GuestAddress start, ulong size) in ram.Ranges)
        {
            for (ulong offset = 0; offset < size; offset += 1 << 20)
            {
                var at = new GuestAddress(start.Value + offset);
                Assert.True(ram.GetSpan(at, 1 << 20).SequenceEqual(destination.Machine.Ram.GetSpan(at, 1 << 20)), $"RAM at 0x{at.Value:x} differs");
            }
        }
    }
}
