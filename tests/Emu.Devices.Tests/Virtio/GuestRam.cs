using Emu.Core.Memory;

namespace Emu.Devices.Tests.Virtio;

/// <summary>16 MiB (by default) of guest RAM at address 0 in an address space of its own, as devices see it.</summary>
internal sealed class GuestRam : IDisposable
{
    public const ulong Size = 16UL << 20;

    private readonly RamBlock _block;

    public GuestRam() : this(Size)
    {
    }

    public GuestRam(ulong size)
    {
        _block = new RamBlock("test-ram", size);
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("memory", ulong.MaxValue);
        Space = topology.CreateAddressSpace("memory", root);
        Memory = GuestMemory.Follow(Space);
        root.AddSubregion(MemoryRegion.CreateRam("ram", _block), 0);
    }

    public AddressSpace Space { get; }

    public GuestMemory Memory { get; }

    public Span<byte> Bytes(ulong address, int length) => Memory.GetSpan(new GuestAddress(address), length);

    public void Dispose() => _block.Dispose();
}
