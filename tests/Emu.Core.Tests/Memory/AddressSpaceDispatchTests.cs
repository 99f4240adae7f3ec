using Emu.Core.Memory;

namespace Emu.Core.Tests.Memory;

public sealed class AddressSpaceDispatchTests : IDisposable
{
    private readonly RamBlock _ram = new("test", 0x10000);
    private readonly MemoryTopology _topology = new();
    private readonly MemoryRegion _root = MemoryRegion.CreateContainer("root", 0x10000_0000);
    private readonly AddressSpace _space;

    public AddressSpaceDispatchTests() => _space = _topology.CreateAddressSpace("test", _root);

    public void Dispose() => _ram.Dispose();

    [Fact]
    public void AccessesReachTheHandlerWithRegionRelativeOffsets()
    {
        var handler = new RecordingHandler(0x5A);
        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x100, handler), 0x1000);

        Span<byte> data = stackalloc byte[4];
        _space.Read(0x1010, data);
        _space.Write(0x1020, new byte[] { 1, 2 });

        Assert.Equal(new byte[] { 0x5A, 0x5A, 0x5A, 0x5A }, data.ToArray());
        Assert.Equal(0x10UL, Assert.Single(handler.Reads));
        Assert.Equal(0x20UL, handler.Writes[0].Offset);
        Assert.Equal(new byte[] { 1, 2 }, handler.Writes[0].Data);
    }

    [Fact]
    public void UnassignedReadsAreAllOnesAndWritesAreDropped()
    {
        Span<byte> data = stackalloc byte[8];
        _space.Read(0x5000, data);
        _space.Write(0x5000, new byte[] { 1, 2, 3, 4 });

        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8).ToArray(), data.ToArray());
        Assert.Equal(2, _space.UnassignedAccesses);
    }

    [Fact]
    public void RamIsReadAndWrittenThroughTheHostMapping()
    {
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x10_0000);
        _space.Write(0x10_0008, new byte[] { 0xDE, 0xAD });

        Assert.Equal(new byte[] { 0xDE, 0xAD }, _ram.AsSpan(8, 2).ToArray());
    }

    [Fact]
    public void WritesToRomAreIgnored()
    {
        _ram.AsSpan(0, 4).Fill(0x11);
        _root.AddSubregion(MemoryRegion.CreateRom("rom", _ram), 0x20_0000);
        _space.Write(0x20_0000, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });

        Span<byte> data = stackalloc byte[4];
        _space.Read(0x20_0000, data);
        Assert.Equal(new byte[] { 0x11, 0x11, 0x11, 0x11 }, data.ToArray());
    }

    [Fact]
    public void AnAccessCrossingIntoAHoleIsSplit()
    {
        var handler = new RecordingHandler(0x42);
        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x10, handler), 0x1000);

        Span<byte> data = stackalloc byte[4];
        _space.Read(0x100E, data);

        Assert.Equal(new byte[] { 0x42, 0x42, 0xFF, 0xFF }, data.ToArray());
        Assert.Equal(0xEUL, Assert.Single(handler.Reads));
    }

    [Fact]
    public void DispatchAllocatesNothing()
    {
        var handler = new CountingHandler();
        _root.AddSubregion(MemoryRegion.CreateIo("dev", 0x100, handler), 0x1000);
        _root.AddSubregion(MemoryRegion.CreateRam("ram", _ram), 0x10_0000);
        byte[] buffer = new byte[4];
        // Warm up (JIT, tiering).
        for (int i = 0; i < 1000; i++)
            Access(buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
            Access(buffer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(handler.Count > 200_000);
    }

    private void Access(byte[] buffer)
    {
        _space.Write(0x1004, buffer);
        _space.Read(0x1008, buffer);
        _space.Write(0x10_0010, buffer);
        _space.Read(0x9000, buffer); // a hole
    }

    private sealed class CountingHandler : IIoHandler
    {
        public long Count;

        public void Read(ulong offset, Span<byte> data)
        {
            Count++;
            data.Clear();
        }

        public void Write(ulong offset, ReadOnlySpan<byte> data) => Count++;
    }
}
