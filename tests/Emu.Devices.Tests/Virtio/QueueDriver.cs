using Emu.Core.Memory;
using Emu.Devices.Virtio;

namespace Emu.Devices.Tests.Virtio;

/// <summary>
/// The driver's side of a split virtqueue in test RAM: writes descriptors and
/// available entries (hostile ones too) and reads the used ring back.
/// Layout: descriptor table at <see cref="Base"/>, available ring after it,
/// used ring on the next 4 KiB boundary.
/// </summary>
internal sealed class QueueDriver
{
    private readonly GuestMemory _memory;
    private ushort _availIdx;
    private ushort _usedSeen;

    public QueueDriver(GuestMemory memory, ulong baseAddress, ushort size, bool clear = true)
    {
        _memory = memory;
        Base = baseAddress;
        Size = size;
        Avail = baseAddress + 16UL * size;
        Used = (Avail + 6 + 2UL * size + 0xFFF) & ~0xFFFUL;
        if (clear)
            _memory.WriteBytes(new GuestAddress(baseAddress), new byte[(int)(Used + 6 + 8UL * size - baseAddress)]);
    }

    /// <summary>
    /// The driver of rings that are already in use (a migrated guest's): its
    /// available index is what the ring holds, and it has seen every used element.
    /// </summary>
    public static QueueDriver Resume(GuestMemory memory, ulong baseAddress, ushort size)
    {
        var driver = new QueueDriver(memory, baseAddress, size, clear: false);
        driver._availIdx = memory.Read<ushort>(new GuestAddress(driver.Avail + 2));
        driver._usedSeen = driver.UsedIndex;
        return driver;
    }

    public ulong Base { get; }

    public ushort Size { get; }

    public ulong Avail { get; }

    public ulong Used { get; }

    /// <summary>Points a device queue at these rings and activates it.</summary>
    public bool Configure(SplitQueue queue, ulong features)
    {
        queue.Size = Size;
        queue.DescriptorTable = Base;
        queue.AvailRing = Avail;
        queue.UsedRing = Used;
        queue.Enabled = true;
        return queue.Activate(features);
    }

    public void SetDescriptor(int index, ulong address, uint length, ushort flags = 0, ushort next = 0) =>
        SetDescriptorAt(Base, index, address, length, flags, next);

    /// <summary>Writes a descriptor into any table (an indirect one).</summary>
    public void SetDescriptorAt(ulong table, int index, ulong address, uint length, ushort flags = 0, ushort next = 0) =>
        _memory.Write(new GuestAddress(table + 16UL * (ulong)index), new VirtqDescriptor { Address = address, Length = length, Flags = flags, Next = next });

    /// <summary>Makes <paramref name="head"/> available (no bounds check: tests put bad heads here too).</summary>
    public void Publish(ushort head)
    {
        _memory.Write(new GuestAddress(Avail + 4 + 2UL * (ulong)(_availIdx % Size)), head);
        _availIdx++;
        _memory.Write(new GuestAddress(Avail + 2), _availIdx);
    }

    /// <summary>Sets avail.idx directly (hostile: far ahead of what was published).</summary>
    public void SetAvailIndex(ushort index)
    {
        _availIdx = index;
        _memory.Write(new GuestAddress(Avail + 2), index);
    }

    public ushort UsedIndex => _memory.Read<ushort>(new GuestAddress(Used + 2));

    public ushort UsedFlags => _memory.Read<ushort>(new GuestAddress(Used));

    public ushort AvailEvent => _memory.Read<ushort>(new GuestAddress(Used + 4 + 8UL * Size));

    public ushort UsedEvent
    {
        set => _memory.Write(new GuestAddress(Avail + 4 + 2UL * Size), value);
    }

    public ushort AvailFlags
    {
        set => _memory.Write(new GuestAddress(Avail), value);
    }

    /// <summary>The next used element the driver has not seen, or null.</summary>
    public (uint Id, uint Length)? TakeUsed()
    {
        if (UsedIndex == _usedSeen)
            return null;
        ulong element = Used + 4 + 8UL * (ulong)(_usedSeen % Size);
        _usedSeen++;
        return (_memory.Read<uint>(new GuestAddress(element)), _memory.Read<uint>(new GuestAddress(element + 4)));
    }
}
