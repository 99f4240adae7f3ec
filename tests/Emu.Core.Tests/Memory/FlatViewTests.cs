using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

public sealed class FlatViewTests : IDisposable
{
    private readonly RamBlock _ram = new("test", 0x10000);
    private readonly MemoryTopology _topology = new();
    private readonly MemoryRegion _root = MemoryRegion.CreateContainer("root", 0x1_0000_0000);
    private readonly AddressSpace _space;

    public FlatViewTests() => _space = _topology.CreateAddressSpace("test", _root);

    public void Dispose() => _ram.Dispose();

    private static string Describe(FlatView view) =>
        string.Join(" ", view.Ranges.ToArray().Select(r => $"{r.Start:x}+{r.Size:x}:{r.Region.Name}@{r.Offset:x}"));

    [Fact]
    public void HigherPriorityRegionWinsWhereTheyOverlap()
    {
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA)), 0x4000, priority: 1);

        Assert.Equal("0+4000:ram@0 4000+1000:dev@0 5000+b000:ram@5000", Describe(_space.View));
    }

    [Fact]
    public void LowerPriorityRegionAddedLaterStaysBelow()
    {
        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA)), 0x4000, priority: 1);
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);

        Assert.Equal("0+4000:ram@0 4000+1000:dev@0 5000+b000:ram@5000", Describe(_space.View));
    }

    [Fact]
    public void AmongEqualPrioritiesTheLastAddedWins()
    {
        _root.AddSubregion(MemoryRegion.CreateIo("first", 0x2000, new RecordingHandler(1)), 0x1000);
        _root.AddSubregion(MemoryRegion.CreateIo("second", 0x2000, new RecordingHandler(2)), 0x2000);

        Assert.Equal("1000+1000:first@0 2000+2000:second@0", Describe(_space.View));
    }

    [Fact]
    public void HolesInAContainerShowTheRegionsBelowIt()
    {
        // A high-priority container that only has a device in its middle: the RAM underneath shows through elsewhere.
        var window = MemoryRegion.CreateContainer("window", 0x8000);
        window.AddSubregion(MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA)), 0x2000);
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
        _root.AddSubregion(window, 0x4000, priority: 5);

        Assert.Equal("0+6000:ram@0 6000+1000:dev@0 7000+9000:ram@7000", Describe(_space.View));
    }

    [Fact]
    public void ChildrenAreClippedToTheirContainer()
    {
        var window = MemoryRegion.CreateContainer("window", 0x1000);
        window.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x800);
        _root.AddSubregion(window, 0x10000);

        Assert.Equal("10800+800:ram@0", Describe(_space.View));
    }

    [Fact]
    public void AnAliasShowsPartOfItsTargetAtAnotherAddress()
    {
        var rom = MemoryRegion.CreateRom("rom", _ram);
        _root.AddSubregion(rom, 0xFFFF_0000);
        _root.AddSubregion(MemoryRegion.CreateAlias("low", rom, 0xE000, 0x2000), 0xE_0000);

        Assert.Equal("e0000+2000:rom@e000 ffff0000+10000:rom@0", Describe(_space.View));
        Assert.True(_space.View.TryFind(0xE_1000, out FlatRange r));
        Assert.Equal(0xF000UL, r.Offset + (0xE_1000 - r.Start));
    }

    [Fact]
    public void AnAliasOfAContainerFollowsChangesInsideIt()
    {
        var pci = MemoryRegion.CreateContainer("pci", 0x1_0000);
        _root.AddSubregion(MemoryRegion.CreateAlias("pci-window", pci, 0x8000, 0x8000), 0x20_0000);
        var bar = MemoryRegion.CreateIo("bar", 0x100, new RecordingHandler(3));
        pci.AddSubregion(bar, 0x9000);

        // pci is not itself under the root: only the alias shows it.
        Assert.Equal("", Describe(_space.View));
        _root.AddSubregion(pci, 0x1000_0000);
        Assert.Equal("201000+100:bar@0 10009000+100:bar@0", Describe(_space.View));

        bar.SetAddress(0xA000);
        Assert.Equal("202000+100:bar@0 1000a000+100:bar@0", Describe(_space.View));
    }

    [Fact]
    public void RemovingARegionUncoversWhatWasBelow()
    {
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
        var dev = MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA));
        _root.AddSubregion(dev, 0x4000, priority: 1);

        _root.RemoveSubregion(dev);

        Assert.Equal("0+10000:ram@0", Describe(_space.View));
        Assert.Null(dev.Parent);
    }

    [Fact]
    public void DisabledRegionsAreNotRendered()
    {
        var dev = MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA));
        _root.AddSubregion(dev, 0x4000);
        dev.SetEnabled(false);
        Assert.Equal("", Describe(_space.View));
        dev.SetEnabled(true);
        Assert.Equal("4000+1000:dev@0", Describe(_space.View));
    }

    [Fact]
    public void ListenersGetOnlyTheDifferences()
    {
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
        var listener = new RecordingListener();
        _space.AddListener(listener);
        // A late listener first gets the current ranges.
        Assert.Single(listener.Added);
        Assert.Empty(listener.Removed);
        listener.Clear();

        var dev = MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA));
        _root.AddSubregion(dev, 0x20000);

        // The RAM range did not change, so only the device arrives.
        Assert.Empty(listener.Removed);
        FlatRange added = Assert.Single(listener.Added);
        Assert.Equal(0x20000UL, added.Start);
        Assert.Equal("dev", added.Region.Name);
        listener.Clear();

        dev.SetAddress(0x30000);
        Assert.Equal(0x20000UL, Assert.Single(listener.Removed).Start);
        Assert.Equal(0x30000UL, Assert.Single(listener.Added).Start);
    }

    [Fact]
    public void SplittingARangeRemovesItAndAddsThePieces()
    {
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
        var listener = new RecordingListener();
        _space.AddListener(listener);
        listener.Clear();

        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA)), 0x4000, priority: 1);

        Assert.Equal(0x10000UL, Assert.Single(listener.Removed).Size);
        Assert.Equal(new[] { 0x0UL, 0x4000UL, 0x5000UL }, listener.Added.Select(r => r.Start).OrderBy(s => s).ToArray());
    }

    [Fact]
    public void ATransactionRendersOnce()
    {
        var listener = new RecordingListener();
        _space.AddListener(listener);
        listener.Clear();

        using (_topology.BeginTransaction())
        {
            _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x0);
            _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x1000, new RecordingHandler(0xAA)), 0x20000);
            Assert.Equal(0, listener.Batches);
        }

        Assert.Equal(1, listener.Batches);
        Assert.Equal(2, listener.Added.Count);
    }

    [Fact]
    public void RegionsReachingTheTopOfTheSpaceDoNotWrap()
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("all", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("all", root);
        root.AddSubregion(MemoryRegion.CreateIo("top", 0x1000, new RecordingHandler(1)), ulong.MaxValue - 0xFFF);
        root.AddSubregion(MemoryRegion.CreateIo("over", 0x2000, new RecordingHandler(2)), ulong.MaxValue - 0x7FF, priority: -1);

        Assert.True(space.View.TryFind(ulong.MaxValue - 1, out FlatRange r));
        Assert.Equal("top", r.Region.Name);
        Assert.Equal(ulong.MaxValue - 1, r.Last);
    }

    [Fact]
    public void RegionsCannotFormCycles()
    {
        var a = MemoryRegion.CreateContainer("a", 0x1000);
        var b = MemoryRegion.CreateContainer("b", 0x1000);
        a.AddSubregion(b, 0);
        Assert.Throws<InvalidOperationException>(() => b.AddSubregion(a, 0));
        Assert.Throws<InvalidOperationException>(() => a.AddSubregion(a, 0));
    }
}
