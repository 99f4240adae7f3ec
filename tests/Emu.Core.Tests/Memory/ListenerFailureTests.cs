using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

// Issue 15, item 5: a listener that cannot take a range (KVM out of memory
// slots, the IOMMU refusing a mapping) while the guest moves a BAR must not
// end the VMM, nor keep the other listeners (or its own other ranges) from
// seeing the change: the accelerator, the IOMMU and the VMM's view stay in agreement.
public sealed class ListenerFailureTests : IDisposable
{
    private readonly RamBlock _ram = new("ram", 0x10000);
    private readonly RamBlock _barMemory = new("bar-memory", 0x4000);

    public void Dispose()
    {
        _ram.Dispose();
        _barMemory.Dispose();
    }

    [Fact]
    public void A_range_one_listener_refuses_reaches_the_others_and_the_guest_write_does_not_fail()
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("memory", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("memory", root);
        var kvm = new FailingListener(r => r.Region.Name == "bar");
        var iommu = new RecordingListener();
        space.AddListener(kvm);
        space.AddListener(iommu);
        var failures = new List<(FlatRange Range, Exception Error)>();
        space.ListenerFailed += (_, range, error, _) => failures.Add((range, error));

        MemoryRegion bar = MemoryRegion.CreateRam("bar", _barMemory, deviceMemory: true);
        Exception? e = Record.Exception(() =>
        {
            using (topology.BeginTransaction())
            {
                root.AddSubregion(bar, 0x1000_0000);                              // the guest maps the BAR ...
                root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x2000_0000); // ... in the same change as another range
            }
        });
        Assert.Null(e);
        Assert.Equal(["bar", "ram"], iommu.Added.Select(r => r.Region.Name));
        Assert.Equal(["ram"], kvm.Mapped.Select(r => r.Region.Name));             // it went on after the failure
        Assert.Equal(1, space.ListenerFailures);
        Assert.Equal("bar", Assert.Single(failures).Range.Region.Name);

        // The guest moves the BAR: every listener hears of it, whatever it holds.
        iommu.Clear();
        Assert.Null(Record.Exception(() => bar.SetAddress(0x3000_0000)));
        Assert.Equal(0x1000_0000UL, Assert.Single(iommu.Removed).Start);
        Assert.Equal(0x3000_0000UL, Assert.Single(iommu.Added).Start);
        Assert.Equal(2, space.ListenerFailures);
        // And the VMM still serves the range from the same memory, the way KVM's exits reach it.
        Span<byte> data = stackalloc byte[4];
        space.Write(0x3000_0000, [1, 2, 3, 4]);
        space.Read(0x3000_0000, data);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, data.ToArray());
    }
}
