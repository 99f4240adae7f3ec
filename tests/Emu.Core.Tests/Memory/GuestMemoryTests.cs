using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

public sealed class GuestMemoryTests : IDisposable
{
    private readonly RamBlock _ram = new("ram", 0x20000);
    private readonly GuestMemory _memory;

    public GuestMemoryTests()
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("root", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("memory", root);
        // Two pieces of RAM with a hole between them, like RAM below and above a PCI hole.
        root.AddSubregion(MemoryRegion.CreateRam("low", _ram, 0, 0x10000), 0x0);
        root.AddSubregion(MemoryRegion.CreateRam("high", _ram, 0x10000, 0x10000), 0x10000);
        root.AddSubregion(MemoryRegion.CreateIo("mmio", 0x1000, new RecordingHandler(0)), 0x40000);
        _memory = GuestMemory.Follow(space);
    }

    public void Dispose() => _ram.Dispose();

    [Fact]
    public void SpansWithinOnePieceAreGiven()
    {
        Assert.True(_memory.TryGetSpan(new GuestAddress(0xFF00), 0x100, out Span<byte> span));
        span.Fill(7);
        Assert.Equal(7, _ram.AsSpan(0xFFFF, 1)[0]);
    }

    [Fact]
    public void SpansCrossingPiecesAreRefusedButCopiesWork()
    {
        // The two regions are adjacent in the guest and contiguous in the block, but are separate pieces.
        Assert.False(_memory.TryGetSpan(new GuestAddress(0xFFF0), 0x20, out _));
        Assert.True(_memory.TryWrite(new GuestAddress(0xFFF0), Enumerable.Range(0, 0x20).Select(i => (byte)i).ToArray()));
        byte[] back = new byte[0x20];
        Assert.True(_memory.TryRead(new GuestAddress(0xFFF0), back));
        Assert.Equal(Enumerable.Range(0, 0x20).Select(i => (byte)i).ToArray(), back);
    }

    [Theory]
    [InlineData(0x20000UL, 1UL)]           // just past RAM
    [InlineData(0x1FFFFUL, 2UL)]           // straddles the end
    [InlineData(0x40000UL, 4UL)]           // MMIO is not RAM
    [InlineData(ulong.MaxValue, 2UL)]      // wraps around 2^64
    [InlineData(0x0UL, 0x20001UL)]         // longer than all of RAM
    public void AccessesOutsideRamFail(ulong address, ulong length)
    {
        Assert.False(_memory.TryGetSpan(new GuestAddress(address), length, out _));
        Assert.False(_memory.IsRam(new GuestAddress(address), length));
        Assert.False(_memory.TryWrite(new GuestAddress(address), new byte[Math.Min(length, 0x30000)]));
    }

    [Fact]
    public void AFailedWriteChangesNothing()
    {
        _ram.AsSpan(0x1FFF0, 0x10).Clear();
        Assert.False(_memory.TryWrite(new GuestAddress(0x1FFF0), new byte[0x20].Select(_ => (byte)0xEE).ToArray()));
        Assert.All(_ram.AsSpan(0x1FFF0, 0x10).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void TypedAccessIsBoundsChecked()
    {
        _memory.Write(new GuestAddress(0x100), 0x1122334455667788UL);
        Assert.Equal(0x1122334455667788UL, _memory.Read<ulong>(new GuestAddress(0x100)));
        ref uint r = ref _memory.GetRef<uint>(new GuestAddress(0x104));
        Assert.Equal(0x11223344u, r);
        Assert.Throws<GuestMemoryException>(() => _memory.Read<ulong>(new GuestAddress(0x1FFFC)));
        _memory.TryGetRef<ulong>(new GuestAddress(0x1FFFC), out bool found);
        Assert.False(found);
    }

    [Fact]
    public void GuestAddressArithmeticIsChecked()
    {
        Assert.Throws<OverflowException>(() => new GuestAddress(ulong.MaxValue).Add(1));
        Assert.False(new GuestAddress(ulong.MaxValue - 1).TryAdd(2, out _));
        Assert.Equal(new GuestAddress(0x1010), new GuestAddress(0x1000).Add(0x10));
    }
}
