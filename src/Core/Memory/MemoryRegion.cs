namespace Emu.Core.Memory;

/// <summary>
/// A node of the memory-region tree: RAM, ROM, device registers, an alias onto
/// another region, or a container of subregions placed at addresses with
/// priorities. Higher priority wins where siblings overlap; among equal
/// priorities the one added last wins; where no child covers an address, the
/// regions below the container show through. The tree is flattened into a
/// <see cref="FlatView"/> by its <see cref="MemoryTopology"/> after every change.
/// </summary>
public sealed class MemoryRegion
{
    private readonly List<MemoryRegion> _children = new();
    private static long s_sequence;

    private MemoryRegion(string name, ulong size, MemoryRegionKind kind)
    {
        if (size == 0)
            throw new ArgumentException($"memory region '{name}' has size 0", nameof(size));
        Name = name;
        Size = size;
        Kind = kind;
    }

    public string Name { get; }

    /// <summary>Size in bytes.</summary>
    public ulong Size { get; }

    public MemoryRegionKind Kind { get; }

    /// <summary>For RAM and ROM: the host memory behind the region.</summary>
    public IHostMemory? HostMemory { get; private init; }

    /// <summary>For RAM and ROM: where in <see cref="HostMemory"/> the region starts.</summary>
    public ulong HostOffset { get; private init; }

    /// <summary>
    /// RAM that is not guest RAM but a device's memory mapped into the guest
    /// (a passthrough BAR): mapped by the accelerator, but not DMA target memory.
    /// </summary>
    public bool IsDeviceMemory { get; private init; }

    /// <summary>For I/O regions: the device handler.</summary>
    public IIoHandler? Handler { get; private init; }

    /// <summary>For aliases: the region shown through this one.</summary>
    public MemoryRegion? AliasTarget { get; private init; }

    /// <summary>For aliases: the offset in <see cref="AliasTarget"/> of this alias's first byte.</summary>
    public ulong AliasOffset { get; private init; }

    public MemoryRegion? Parent { get; private set; }

    /// <summary>Address of this region inside its parent.</summary>
    public ulong Address { get; private set; }

    public int Priority { get; private set; }

    public bool Enabled { get; private set; } = true;

    /// <summary>The owner of the object model object that created the region, for listings (e.g. "info mtree").</summary>
    public string? Owner { get; init; }

    internal long Sequence { get; private set; }

    internal MemoryTopology? Topology { get; private set; }

    /// <summary>Subregions in rendering order: highest priority first, latest added first among equals.</summary>
    public IReadOnlyList<MemoryRegion> Subregions => _children;

    public static MemoryRegion CreateContainer(string name, ulong size) => new(name, size, MemoryRegionKind.Container);

    public static MemoryRegion CreateRam(string name, IHostMemory memory, ulong offset = 0, ulong? size = null, bool deviceMemory = false)
    {
        ulong length = size ?? memory.Size - offset;
        CheckHostRange(name, memory, offset, length);
        return new MemoryRegion(name, length, MemoryRegionKind.Ram) { HostMemory = memory, HostOffset = offset, IsDeviceMemory = deviceMemory };
    }

    public static MemoryRegion CreateRom(string name, IHostMemory memory, ulong offset = 0, ulong? size = null)
    {
        ulong length = size ?? memory.Size - offset;
        CheckHostRange(name, memory, offset, length);
        return new MemoryRegion(name, length, MemoryRegionKind.Rom) { HostMemory = memory, HostOffset = offset };
    }

    public static MemoryRegion CreateIo(string name, ulong size, IIoHandler handler) =>
        new(name, size, MemoryRegionKind.Io) { Handler = handler };

    public static MemoryRegion CreateAlias(string name, MemoryRegion target, ulong offset, ulong size)
    {
        if (offset > target.Size || size > target.Size - offset)
            throw new ArgumentOutOfRangeException(nameof(size), $"alias '{name}' [0x{offset:x}+0x{size:x}] exceeds '{target.Name}' (0x{target.Size:x})");
        return new MemoryRegion(name, size, MemoryRegionKind.Alias) { AliasTarget = target, AliasOffset = offset };
    }

    /// <summary>Places <paramref name="child"/> at <paramref name="address"/> inside this container.</summary>
    public void AddSubregion(MemoryRegion child, ulong address, int priority = 0)
    {
        if (Kind != MemoryRegionKind.Container)
            throw new InvalidOperationException($"'{Name}' is not a container");
        if (child.Parent != null)
            throw new InvalidOperationException($"'{child.Name}' is already inside '{child.Parent.Name}'");
        if (ReferenceEquals(child, this) || IsDescendantOf(child))
            throw new InvalidOperationException($"adding '{child.Name}' to '{Name}' would make a cycle");
        MemoryTopology.Mutate(Topology, () =>
        {
            child.Parent = this;
            child.Address = address;
            child.Priority = priority;
            child.Sequence = Interlocked.Increment(ref s_sequence);
            int index = 0;
            while (index < _children.Count && _children[index].Priority > priority)
                index++;
            _children.Insert(index, child);
            child.SetTopology(Topology);
        });
    }

    public void RemoveSubregion(MemoryRegion child)
    {
        if (!ReferenceEquals(child.Parent, this))
            throw new InvalidOperationException($"'{child.Name}' is not inside '{Name}'");
        MemoryTopology.Mutate(Topology, () =>
        {
            _children.Remove(child);
            child.Parent = null;
            child.SetTopology(null);
        });
    }

    /// <summary>Moves the region inside its parent (e.g. the guest reprogrammed a BAR).</summary>
    public void SetAddress(ulong address)
    {
        if (Address == address)
            return;
        MemoryTopology.Mutate(Topology, () => Address = address);
    }

    public void SetEnabled(bool enabled)
    {
        if (Enabled == enabled)
            return;
        MemoryTopology.Mutate(Topology, () => Enabled = enabled);
    }

    internal void SetTopology(MemoryTopology? topology)
    {
        Topology = topology;
        foreach (MemoryRegion child in _children)
            child.SetTopology(topology);
    }

    private bool IsDescendantOf(MemoryRegion ancestor)
    {
        for (MemoryRegion? r = Parent; r != null; r = r.Parent)
        {
            if (ReferenceEquals(r, ancestor))
                return true;
        }
        return false;
    }

    private static void CheckHostRange(string name, IHostMemory memory, ulong offset, ulong length)
    {
        if (offset > memory.Size || length > memory.Size - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"region '{name}' [0x{offset:x}+0x{length:x}] exceeds its host memory (0x{memory.Size:x})");
    }

    public override string ToString() => $"{Name} ({Kind}, 0x{Size:x} bytes)";
}
