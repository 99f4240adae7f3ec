using Emu.Core.Memory;
using Emu.Devices.Virtio;

namespace Emu.Benchmarks;

/// <summary>16 MiB of guest RAM and a driver-side view of one split queue in it.</summary>
internal sealed class BenchmarkRam : IDisposable
{
    private readonly RamBlock _block = new("bench-ram", 16UL << 20);
    private ushort _availIdx;

    public BenchmarkRam(ushort size)
    {
        var topology = new MemoryTopology();
        var root = MemoryRegion.CreateContainer("memory", ulong.MaxValue);
        topology.CreateAddressSpace("memory", root);
        Memory = GuestMemory.Follow(topology.AddressSpaces[0]);
        root.AddSubregion(MemoryRegion.CreateRam("ram", _block), 0);
        Size = size;
    }

    public GuestMemory Memory { get; }

    public ushort Size { get; }

    public const ulong Desc = 0x10000, Avail = 0x20000, Used = 0x30000;

    public void Configure(SplitQueue queue, ulong features)
    {
        queue.Size = Size;
        queue.DescriptorTable = Desc;
        queue.AvailRing = Avail;
        queue.UsedRing = Used;
        queue.Enabled = true;
        if (!queue.Activate(features))
            throw new InvalidOperationException(queue.Error.ToString());
    }

    public void SetDescriptor(ulong table, int index, ulong address, uint length, ushort flags, ushort next) =>
        Memory.Write(new GuestAddress(table + 16UL * (ulong)index), new VirtqDescriptor { Address = address, Length = length, Flags = flags, Next = next });

    public void Publish(ushort head)
    {
        Memory.Write(new GuestAddress(Avail + 4 + 2UL * (ulong)(_availIdx % Size)), head);
        _availIdx++;
        Memory.Write(new GuestAddress(Avail + 2), _availIdx);
    }

    public void Dispose() => _block.Dispose();
}
