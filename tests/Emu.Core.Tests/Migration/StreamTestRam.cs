using Emu.Core.Memory;

namespace Emu.Core.Tests.Migration;

/// <summary>Guest RAM for stream tests: two ranges with a hole between them, as q35 below and above 4 GiB.</summary>
internal sealed class StreamTestRam : IDisposable
{
    private readonly RamBlock _block;

    public StreamTestRam(ulong lowSize = 0x40000, ulong highSize = 0x20000, ulong highAt = 0x100000)
    {
        _block = new RamBlock("test.ram", lowSize + highSize);
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("root", ulong.MaxValue);
        AddressSpace space = topology.CreateAddressSpace("memory", root);
        root.AddSubregion(MemoryRegion.CreateRam("low", _block, 0, lowSize), 0);
        root.AddSubregion(MemoryRegion.CreateRam("high", _block, lowSize, highSize), highAt);
        Memory = GuestMemory.Follow(space);
    }

    public GuestMemory Memory { get; }

    public void Dispose() => _block.Dispose();
}
