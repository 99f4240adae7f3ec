using System.Runtime.CompilerServices;
using Emu.Core.Memory;

namespace Emu.Devices.Virtio;

/// <summary>
/// The device side of a split virtqueue (virtio 1.2 section 2.7): the
/// descriptor table, the available ring the driver fills and the used ring the
/// device returns buffers on, with indirect descriptors (2.7.5.3) and
/// VIRTIO_F_EVENT_IDX notification suppression (2.7.7, 2.7.10).
///
/// Every value the guest controls is checked before use: ring indices, head
/// and next indices, chain length (loops), indirect table placement and
/// nesting, buffer addresses and lengths. Guest structures are read once into
/// locals (the guest may change them at any time). A violation returns
/// <see cref="PopResult.Error"/> with <see cref="Error"/> set; the device then
/// needs a reset. Nothing here allocates or throws on guest input.
///
/// Rings are reached through pointers into the host mapping of guest RAM,
/// obtained and bounds-checked once when the queue is activated.
/// </summary>
public sealed unsafe partial class SplitQueue
{
    // VIRTQ_AVAIL_F_NO_INTERRUPT and VIRTQ_USED_F_NO_NOTIFY (2.7.6, 2.7.8).
    private const ushort AvailNoInterrupt = 1;
    private const ushort UsedNoNotify = 1;

    private readonly GuestMemory _memory;
    private VirtqDescriptor* _descriptors;
    private byte* _avail;
    private byte* _used;
    private ulong _usedAddress;
    private ushort _mask;
    private ushort _lastAvail;
    private ushort _nextUsed;
    private ushort _signalledUsed;
    private bool _signalledValid;

    public SplitQueue(GuestMemory memory, int index, ushort maxSize)
    {
        if (maxSize == 0 || maxSize > 32768 || (maxSize & (maxSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(maxSize), "queue sizes are powers of two up to 32768");
        _memory = memory;
        Index = index;
        MaxSize = maxSize;
        Size = maxSize;
        Chain = new DescriptorChain(maxSize);
    }

    public int Index { get; }

    public ushort MaxSize { get; }

    // Configuration written by the driver through the transport before DRIVER_OK.

    public ushort Size { get; set; }

    public ulong DescriptorTable { get; set; }

    public ulong AvailRing { get; set; }

    public ulong UsedRing { get; set; }

    public bool Enabled { get; set; }

    /// <summary>MSI-X vector for used-buffer notifications (0xFFFF: none).</summary>
    public ushort MsixVector { get; set; } = 0xFFFF;

    /// <summary>VIRTIO_F_EVENT_IDX was negotiated.</summary>
    public bool EventIdx { get; private set; }

    /// <summary>VIRTIO_F_INDIRECT_DESC was negotiated.</summary>
    public bool IndirectAllowed { get; private set; }

    public bool IsActive => _descriptors != null;

    /// <summary>What the last failed operation found.</summary>
    public VirtqError Error { get; private set; }

    /// <summary>The chain <see cref="TryPop"/> filled (reused for every request).</summary>
    public DescriptorChain Chain { get; }

    /// <summary>Chains taken since activation.</summary>
    public long Popped { get; private set; }

    /// <summary>Index of the next available entry the device will take.</summary>
    public ushort LastAvailIndex => _lastAvail;

    /// <summary>Back to the reset state: size at maximum, addresses 0, disabled (4.1.4.3.2).</summary>
    public void Reset()
    {
        Size = MaxSize;
        DescriptorTable = AvailRing = UsedRing = 0;
        Enabled = false;
        MsixVector = 0xFFFF;
        Deactivate();
    }

    public void Deactivate()
    {
        _descriptors = null;
        _avail = _used = null;
        _lastAvail = _nextUsed = _signalledUsed = 0;
        _signalledValid = false;
        EventIdx = IndirectAllowed = false;
        Error = VirtqError.None;
        Popped = 0;
    }

    /// <summary>
    /// Checks the driver's configuration and maps the rings (at DRIVER_OK).
    /// Alignments and sizes from 2.7: descriptor table 16, available ring 2,
    /// used ring 4 bytes.
    /// </summary>
    public bool Activate(ulong features)
    {
        Deactivate();
        if (!Map(features))
            return false;
        // Both rings start at index 0 after a reset (2.7.6, 2.7.8).
        _nextUsed = 0;
        _lastAvail = 0;
        Volatile.Write(ref *(ushort*)_used, (ushort)0);
        Volatile.Write(ref *(ushort*)(_used + 2), (ushort)0);
        MarkUsedRingDirty();
        return true;
    }

    // Checks the layout and takes the host pointers of the three rings.
    private bool Map(ulong features)
    {
        ushort size = Size;
        VirtqError error = CheckLayout(size, DescriptorTable, AvailRing, UsedRing);
        if (error != VirtqError.None
            || !_memory.TryGetSpan(new GuestAddress(DescriptorTable), 16UL * size, out Span<byte> desc)
            || !_memory.TryGetSpan(new GuestAddress(AvailRing), 6UL + 2UL * size, out Span<byte> avail)
            || !_memory.TryGetSpan(new GuestAddress(UsedRing), 6UL + 8UL * size, out Span<byte> used))
            return Fail(error == VirtqError.None ? VirtqError.BadRingAddress : error);
        _descriptors = (VirtqDescriptor*)Unsafe.AsPointer(ref desc[0]);
        _avail = (byte*)Unsafe.AsPointer(ref avail[0]);
        _used = (byte*)Unsafe.AsPointer(ref used[0]);
        _usedAddress = UsedRing;
        _mask = (ushort)(size - 1);
        EventIdx = (features & VirtioFeatures.EventIdx) != 0;
        IndirectAllowed = (features & VirtioFeatures.IndirectDesc) != 0;
        return true;
    }

    /// <summary>Whether the configured size and ring addresses are acceptable for activation (2.7), without mapping anything.</summary>
    public VirtqError CheckLayout(ushort size, ulong descriptorTable, ulong availRing, ulong usedRing)
    {
        if (size == 0 || size > MaxSize || (size & (size - 1)) != 0)
            return VirtqError.BadQueueSize;
        if ((descriptorTable & 15) != 0 || (availRing & 1) != 0 || (usedRing & 3) != 0)
            return VirtqError.BadRingAddress;
        if (!_memory.TryGetSpan(new GuestAddress(descriptorTable), 16UL * size, out _)
            || !_memory.TryGetSpan(new GuestAddress(availRing), 6UL + 2UL * size, out _)
            || !_memory.TryGetSpan(new GuestAddress(usedRing), 6UL + 8UL * size, out _))
            return VirtqError.BadRingAddress;
        return VirtqError.None;
    }

    private bool Fail(VirtqError error)
    {
        Error = error;
        return false;
    }

    private ushort AvailIdx => Volatile.Read(ref *(ushort*)(_avail + 2));

    /// <summary>The driver's available index now (how many chains it has ever made available, mod 2^16).</summary>
    public ushort DriverAvailIndex => _avail == null ? (ushort)0 : AvailIdx;

    /// <summary>True when the driver has made chains available that the device has not taken.</summary>
    public bool HasAvailable => _avail != null && AvailIdx != _lastAvail;

    /// <summary>
    /// Takes the next available chain into <see cref="Chain"/>, validating
    /// every descriptor (2.7.5, 2.7.5.3).
    /// </summary>
    public PopResult TryPop()
    {
        if (_avail == null)
            return PopResult.Empty;
        ushort availIdx = AvailIdx; // acquire: ring entries are read after it
        ushort pending = (ushort)(availIdx - _lastAvail);
        if (pending == 0)
            return PopResult.Empty;
        if (pending > _mask + 1)
            return Refuse(VirtqError.AvailIndexTooFar);
        ushort head = Volatile.Read(ref *(ushort*)(_avail + 4 + 2 * (_lastAvail & _mask)));
        VirtqError error = Walk(head);
        if (error != VirtqError.None)
            return Refuse(error);
        _lastAvail++;
        Popped++;
        return PopResult.Chain;
    }

    private PopResult Refuse(VirtqError error)
    {
        Error = error;
        return PopResult.Error;
    }

    private VirtqError Walk(ushort head)
    {
        int size = _mask + 1;
        if (head >= size)
            return VirtqError.HeadOutOfRange;
        DescriptorChain chain = Chain;
        chain.Reset(head);
        VirtqDescriptor* table = _descriptors;
        int tableSize = size;
        bool inIndirect = false;
        ushort index = head;
        // Every descriptor visited counts, so a loop ends at the limit (2.7.5.3.1:
        // no chain is longer than the queue size).
        for (int visited = 0; ; visited++)
        {
            if (visited >= size)
                return VirtqError.ChainTooLong;
            VirtqDescriptor d = table[index]; // one copy: the guest may change it meanwhile
            if ((d.Flags & VirtqDescriptor.FlagIndirect) != 0)
            {
                if (!IndirectAllowed)
                    return VirtqError.IndirectNotNegotiated;
                if (inIndirect)
                    return VirtqError.NestedIndirect;
                if ((d.Flags & VirtqDescriptor.FlagNext) != 0)
                    return VirtqError.IndirectWithNext;
                if (d.Length == 0 || (d.Length & 15) != 0 || d.Length / 16 > (uint)size)
                    return VirtqError.BadIndirectLength;
                if (!_memory.TryGetSpan(new GuestAddress(d.Address), d.Length, out Span<byte> indirect))
                    return VirtqError.AddressOutOfRange;
                table = (VirtqDescriptor*)Unsafe.AsPointer(ref indirect[0]);
                tableSize = (int)(d.Length / 16);
                inIndirect = true;
                index = 0;
                continue;
            }
            if (d.Length == 0)
                return VirtqError.ZeroLength;
            if (!_memory.TryGetSpan(new GuestAddress(d.Address), d.Length, out Span<byte> buffer))
                return VirtqError.AddressOutOfRange;
            bool writable = (d.Flags & VirtqDescriptor.FlagWrite) != 0;
            if (!writable && chain.WritableLength != 0)
                return VirtqError.ReadableAfterWritable;
            if (chain.Count >= chain.Capacity)
                return VirtqError.ChainTooLong;
            chain.Add(new VirtqSegment(d.Address, (byte*)Unsafe.AsPointer(ref buffer[0]), d.Length, writable));
            if ((d.Flags & VirtqDescriptor.FlagNext) == 0)
                return VirtqError.None;
            if (d.Next >= tableSize)
                return VirtqError.NextOutOfRange;
            index = d.Next;
        }
    }

    /// <summary>
    /// Returns chain <paramref name="head"/> to the driver with
    /// <paramref name="written"/> bytes written into its buffers (2.7.8).
    /// </summary>
    public void Push(ushort head, uint written)
    {
        AddUsed(head, written);
        PublishUsed();
    }

    /// <summary>
    /// Writes a used element without publishing it: several elements that the
    /// driver must see together (a mergeable receive packet, 5.1.6.4) are
    /// added, then published at once with <see cref="PublishUsed"/>.
    /// </summary>
    public void AddUsed(ushort head, uint written)
    {
        if (_used == null)
            return;
        ushort slot = (ushort)(_nextUsed & _mask);
        byte* element = _used + 4 + 8 * slot;
        *(uint*)element = head;
        *(uint*)(element + 4) = written;
        _nextUsed++;
        if (_memory.DirtyLog.Active)
            MarkChainDirty(head);
    }

    /// <summary>Makes every added used element visible to the driver.</summary>
    public void PublishUsed()
    {
        if (_used == null)
            return;
        // Release: the elements are visible before the index that publishes them.
        Volatile.Write(ref *(ushort*)(_used + 2), _nextUsed);
        MarkUsedRingDirty();
    }

    /// <summary>
    /// Gives back the last <paramref name="count"/> chains taken and not yet
    /// used: they stay the driver's and are taken (and validated) again later.
    /// </summary>
    public void Unpop(int count)
    {
        _lastAvail = (ushort)(_lastAvail - count);
        Popped -= count;
    }

    /// <summary>
    /// Whether the driver wants an interrupt for what was pushed since the
    /// last call: VIRTQ_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX whether
    /// used_event lies in the newly used range (2.7.7.2, vring_need_event).
    /// </summary>
    public bool ShouldNotify()
    {
        if (_used == null)
            return false;
        // The used index store must be globally visible before the driver's
        // suppression field is read, or both sides could miss each other.
        Interlocked.MemoryBarrier();
        ushort now = _nextUsed;
        if (!EventIdx)
            return (Volatile.Read(ref *(ushort*)_avail) & AvailNoInterrupt) == 0;
        ushort old = _signalledUsed;
        bool valid = _signalledValid;
        _signalledUsed = now;
        _signalledValid = true;
        ushort usedEvent = Volatile.Read(ref *(ushort*)(_avail + 4 + 2 * (_mask + 1)));
        return !valid || (ushort)(now - usedEvent - 1) < (ushort)(now - old);
    }

    /// <summary>Asks the driver not to notify while the device is busy with the queue.</summary>
    public void DisableNotifications()
    {
        if (_used != null && !EventIdx)
        {
            Volatile.Write(ref *(ushort*)_used, UsedNoNotify);
            MarkUsedRingDirty();
        }
    }

    /// <summary>
    /// Asks the driver to notify when it makes available anything beyond
    /// <paramref name="seenAvailIndex"/> (the device looked at everything up
    /// to there and it was not enough, e.g. receive buffers for a large
    /// frame); returns true when more arrived meanwhile.
    /// </summary>
    public bool RequestNotificationBeyond(ushort seenAvailIndex)
    {
        if (_used == null)
            return false;
        if (EventIdx)
            Volatile.Write(ref *(ushort*)(_used + 4 + 8 * (_mask + 1)), seenAvailIndex);
        else
            Volatile.Write(ref *(ushort*)_used, (ushort)0);
        MarkUsedRingDirty();
        Interlocked.MemoryBarrier();
        return AvailIdx != seenAvailIndex;
    }

    /// <summary>
    /// Asks the driver to notify when it makes the next chain available
    /// (VIRTQ_USED_F_NO_NOTIFY cleared, or avail_event set to the next index
    /// the device will take); returns true when chains arrived meanwhile, so
    /// the caller processes them instead of sleeping.
    /// </summary>
    public bool EnableNotifications()
    {
        if (_used == null)
            return false;
        if (EventIdx)
            Volatile.Write(ref *(ushort*)(_used + 4 + 8 * (_mask + 1)), _lastAvail);
        else
            Volatile.Write(ref *(ushort*)_used, (ushort)0);
        MarkUsedRingDirty();
        Interlocked.MemoryBarrier();
        return AvailIdx != _lastAvail;
    }
}
