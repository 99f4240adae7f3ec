using Emu.Accel.Kvm;
using Emu.Accel.Kvm.Interop;

namespace Emu.Accel.Tests;

// Issue 15, item 6: the routing table KVM_SET_GSI_ROUTING takes is kept in
// one buffer and changed in place: a guest reprogramming or releasing a
// vector costs the VMM no allocation and no rebuild of the table.
public sealed unsafe class KvmGsiRoutingTableTests
{
    private static KvmIrqRoutingEntry Msi(int gsi, uint data) => new() { Gsi = (uint)gsi, Type = KvmIrqRoutingEntry.TypeMsi, MsiAddressLo = 0xFEE0_0000, MsiData = data };

    private static uint Nr(KvmGsiRoutingTable table) => ((KvmIrqRoutingHeader*)table.Pointer)->Nr;

    [Fact]
    public void Entries_are_added_at_the_end_changed_in_place_and_removed_by_moving_the_last()
    {
        using var table = new KvmGsiRoutingTable(8);
        for (int i = 0; i < 4; i++)
            Assert.Equal(i, table.Add(Msi(24 + i, (uint)i)));
        Assert.Equal(4u, Nr(table));

        table[2] = Msi(26, 0x99);
        Assert.Equal(0x99u, table[2].MsiData);

        Assert.Equal(3, table.RemoveAt(1));     // the last entry (GSI 27) moved into index 1
        Assert.Equal(27u, table[1].Gsi);
        Assert.Equal(3u, Nr(table));
        Assert.Equal(-1, table.RemoveAt(2));    // the last one itself: nothing moves
        Assert.Equal(2u, Nr(table));
        Assert.Equal(new uint[] { 24, 27 }, new[] { table[0].Gsi, table[1].Gsi });
    }

    [Fact]
    public void Changing_adding_and_removing_routes_allocates_nothing()
    {
        using var table = new KvmGsiRoutingTable(64);
        for (int i = 0; i < 38; i++)
            table.Add(Msi(i, 0));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            int index = table.Add(Msi(40, (uint)i));
            table[index] = Msi(40, (uint)i + 1);
            table.RemoveAt(index);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_full_table_refuses_another_entry()
    {
        using var table = new KvmGsiRoutingTable(2);
        table.Add(Msi(24, 0));
        table.Add(Msi(25, 0));
        Assert.Throws<InvalidOperationException>(() => table.Add(Msi(26, 0)));
    }
}
