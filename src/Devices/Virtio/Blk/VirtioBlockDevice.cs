using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Virtio.Blk;

/// <summary>
/// virtio-blk (virtio 1.2 section 5.2): one request queue; read, write,
/// flush, get-id, discard and write-zeroes on an <see cref="IBlockBackend"/>.
/// A request is a 16-byte header (type, reserved, sector), data, and a status
/// byte in the last device-writable byte (5.2.6). Malformed requests (no
/// header, no status byte) put the device in DEVICE_NEEDS_RESET; requests
/// outside the disk, of odd lengths or against a read-only disk complete with
/// VIRTIO_BLK_S_IOERR. Allocation-free: the scatter lists are preallocated.
///
/// On a backend with asynchronous requests (an O_DIRECT image with Linux
/// AIO) reads and writes are submitted in a batch per drain of the queue and
/// returned to the driver as they complete, so the queue depth the driver
/// keeps becomes parallelism on the disk. Each request in flight holds a slot
/// (its chain head, scatter list and status byte); there are as many slots as
/// queue entries.
/// </summary>
public sealed unsafe partial class VirtioBlockDevice : VirtioDevice
{
    public const ushort DefaultQueueSize = 256;
    private const uint MaxDiscardSectors = 1 << 22;
    private const uint MaxDiscardSegments = 32;

    // The used element's len is 32 bits (virtio 1.2, 2.7.8) and counts the
    // data read plus the status byte: a read of more than 2^32 - 2 bytes could
    // not be reported (it wrapped to a small number). Such a request, which
    // no driver makes (Linux stays within seg_max x size_max), fails with
    // IOERR before anything moves; writes are held to the same bound.
    private const ulong MaxDataLength = uint.MaxValue - 1;

    private readonly IBlockBackend _backend;
    private readonly byte[] _id = new byte[VirtioBlk.IdLength];
    private readonly IoVec* _iov;
    private readonly IAsyncBlockBackend? _async;
    private readonly FileDescriptor? _completion;
    private readonly IoVec* _slotIov;
    private readonly ushort[] _slotHead;
    private readonly nint[] _slotStatus;
    private readonly uint[] _slotWritten;
    private readonly long[] _slotOffset;
    private readonly int[] _slotCount;
    private readonly bool[] _slotWrite;
    private readonly int[] _freeSlots;
    private int _freeCount;
    private long _requests;

    public VirtioBlockDevice(IBlockBackend backend, string? serial, ushort queueSize = DefaultQueueSize)
        : base(VirtioDeviceId.Block, 1, queueSize)
    {
        _backend = backend;
        Encoding.ASCII.GetBytes(serial ?? "", 0, Math.Min((serial ?? "").Length, VirtioBlk.IdLength), _id, 0);
        _iov = (IoVec*)NativeMemory.Alloc((nuint)queueSize, (nuint)sizeof(IoVec));
        _slotHead = new ushort[queueSize];
        _slotStatus = new nint[queueSize];
        _slotWritten = new uint[queueSize];
        _slotOffset = new long[queueSize];
        _slotCount = new int[queueSize];
        _slotWrite = new bool[queueSize];
        _freeSlots = new int[queueSize];
        ResetSlots();
        if (backend is RawFileBackend raw && raw.EnableAsync(queueSize))
        {
            _async = raw;
            // The backend's own eventfd: the backend outlives the device (it belongs to the -drive).
            _completion = raw.CompletionHandle;
            _slotIov = (IoVec*)NativeMemory.Alloc((nuint)queueSize * queueSize, (nuint)sizeof(IoVec));
        }
    }

    /// <summary>Whether reads and writes run asynchronously (many in flight).</summary>
    public bool IsAsync => _async != null;

    public override FileDescriptor? BackendHandle => _completion;

    private void ResetSlots()
    {
        for (int i = 0; i < _freeSlots.Length; i++)
            _freeSlots[i] = _freeSlots.Length - 1 - i;
        _freeCount = _freeSlots.Length;
    }

    public IBlockBackend Backend => _backend;

    /// <summary>Requests completed since creation.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public ulong CapacitySectors => (ulong)_backend.Length / VirtioBlk.SectorSize;

    public override ulong DeviceFeatures =>
        VirtioBlk.FeatureSegMax | VirtioBlk.FeatureBlockSize | VirtioBlk.FeatureFlush
        | (_backend.ReadOnly ? VirtioBlk.FeatureReadOnly : VirtioBlk.FeatureDiscard | VirtioBlk.FeatureWriteZeroes);

    // struct virtio_blk_config up to write_zeroes_may_unmap and its padding (5.2.4).
    public override int ConfigSize => 60;

    public override void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[64];
        config.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(config, CapacitySectors);
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(12), (uint)(QueueSize - 2)); // seg_max: header and status take two
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(20), VirtioBlk.SectorSize); // blk_size
        BinaryPrimitives.WriteUInt16LittleEndian(config.Slice(34), 1); // num_queues
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(36), MaxDiscardSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(40), MaxDiscardSegments);
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(44), 8); // discard_sector_alignment
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(48), MaxDiscardSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(config.Slice(52), MaxDiscardSegments);
        config[56] = 1; // write_zeroes_may_unmap
        config.Slice(offset, data.Length).CopyTo(data);
    }

    public override void ProcessQueue(int queue)
    {
        if (queue == 0)
            DrainQueue(Queues[0]);
    }

    protected override bool CanTakeRequest(SplitQueue queue) => _freeCount > 0;

    protected override void SubmitDeferred() => _async?.Submit();

    protected override RequestOutcome HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        if (chain.ReadableLength < VirtioBlk.HeaderSize || chain.WritableLength < 1)
            return RequestOutcome.Malformed;
        Span<byte> header = stackalloc byte[VirtioBlk.HeaderSize];
        chain.ReadFrom(0, header);
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(8));
        ulong dataIn = chain.WritableLength - 1; // the status byte is the last writable byte
        byte status;
        uint dataWritten = 0;
        if (_async != null && (type == VirtioBlk.TypeIn || type == VirtioBlk.TypeOut) && TryDefer(chain, type == VirtioBlk.TypeOut, sector, dataIn))
            return RequestOutcome.Deferred;
        switch (type)
        {
            case VirtioBlk.TypeIn:
                status = Transfer(chain, sector, dataIn, write: false);
                if (status == VirtioBlk.StatusOk)
                    dataWritten = (uint)dataIn;
                break;
            case VirtioBlk.TypeOut:
                status = Transfer(chain, sector, chain.ReadableLength - VirtioBlk.HeaderSize, write: true);
                break;
            case VirtioBlk.TypeFlush:
                status = _backend.Flush() ? VirtioBlk.StatusOk : VirtioBlk.StatusIoError;
                break;
            case VirtioBlk.TypeGetId:
                // The id is up to 20 bytes, NUL-padded only if shorter (5.2.6).
                dataWritten = (uint)chain.WriteTo(0, _id.AsSpan(0, (int)Math.Min(dataIn, (ulong)VirtioBlk.IdLength)));
                status = VirtioBlk.StatusOk;
                break;
            case VirtioBlk.TypeDiscard:
            case VirtioBlk.TypeWriteZeroes:
                status = _backend.ReadOnly ? VirtioBlk.StatusIoError : Ranges(chain, type == VirtioBlk.TypeDiscard);
                break;
            default:
                status = VirtioBlk.StatusUnsupported;
                break;
        }
        WriteStatus(chain, status);
        written = dataWritten + 1;
        Interlocked.Increment(ref _requests);
        return RequestOutcome.Completed;
    }

    // Queues a valid read or write on the asynchronous backend in a free slot;
    // false leaves the request to the synchronous path (which also answers
    // invalid ones at once).
    private bool TryDefer(DescriptorChain chain, bool write, ulong sector, ulong dataIn)
    {
        ulong length = write ? chain.ReadableLength - VirtioBlk.HeaderSize : dataIn;
        if (length == 0 || length % VirtioBlk.SectorSize != 0 || length > MaxDataLength || !InRange(sector, length / VirtioBlk.SectorSize) || (write && _backend.ReadOnly))
            return false;
        int slot = _freeSlots[_freeCount - 1];
        int count = write ? GatherReadable(chain) : GatherWritable(chain, length);
        IoVec* iov = _slotIov + slot * QueueSize;
        new ReadOnlySpan<IoVec>(_iov, count).CopyTo(new Span<IoVec>(iov, count));
        long offset = (long)(sector * VirtioBlk.SectorSize);
        if (!_async!.Enqueue(iov, count, offset, write, (ulong)slot))
            return false;
        _freeCount--;
        ref readonly VirtqSegment last = ref chain[chain.Count - 1];
        _slotHead[slot] = chain.Head;
        _slotStatus[slot] = last.HostAddress + (nint)last.Length - 1;
        _slotWritten[slot] = write ? 1u : (uint)length + 1;
        _slotOffset[slot] = offset;
        _slotCount[slot] = count;
        _slotWrite[slot] = write;
        return true;
    }

    public override bool HasPolledWork => Queues[0].HasAvailable || (_async != null && _async.HasCompletions);

    protected override bool DefersNotifications => true;

    // With requests in flight a completion will wake the worker, and it looks
    // at the queue then: the driver need not notify. Idle, it must.
    public override bool PrepareToSleep()
    {
        if (_async != null && _async.Outstanding > 0)
            return false;
        return Queues[0].EnableNotifications();
    }

    public override void ServePolledWork()
    {
        if (_async != null && _async.HasCompletions)
            ProcessBackend();
        if (Queues[0].HasAvailable)
            DrainQueue(Queues[0]);
    }

    /// <summary>Completions of asynchronous requests (on the worker thread).</summary>
    public override void ProcessBackend()
    {
        if (_async == null)
            return;
        SplitQueue queue = Queues[0];
        ReapCompletions();
        // New chains (the driver does not notify while requests are in flight),
        // or intake that stopped for want of slots.
        if (queue.HasAvailable)
            DrainQueue(queue);
    }

    // Returns finished asynchronous requests to the driver; the number returned.
    private int ReapCompletions()
    {
        SplitQueue queue = Queues[0];
        Span<BlockCompletion> done = stackalloc BlockCompletion[32];
        bool pushed = false;
        int n, total = 0;
        while ((n = _async!.Reap(done)) > 0)
        {
            total += n;
            for (int i = 0; i < n; i++)
            {
                int slot = (int)done[i].Tag;
                uint written = _slotWritten[slot];
                long expected = _slotWrite[slot] ? 0 : written - 1;
                bool ok = done[i].Result >= 0 && (_slotWrite[slot] || done[i].Result == expected);
                if (!ok || (_slotWrite[slot] && done[i].Result >= 0 && !WroteAll(slot, done[i].Result)))
                    ok = RetrySynchronously(slot);
                *(byte*)_slotStatus[slot] = ok ? VirtioBlk.StatusOk : VirtioBlk.StatusIoError;
                queue.Push(_slotHead[slot], ok ? written : 1);
                _freeSlots[_freeCount++] = slot;
                Interlocked.Increment(ref _requests);
                pushed = true;
            }
        }
        if (pushed)
            Transport.SignalUsed(queue);
        return total;
    }

    private bool WroteAll(int slot, long result)
    {
        long total = 0;
        IoVec* iov = _slotIov + slot * QueueSize;
        for (int i = 0; i < _slotCount[slot]; i++)
            total += (long)iov[i].Length;
        return result == total;
    }

    // A short transfer or a refused one (O_DIRECT and a misaligned guest
    // buffer: EINVAL) is done again synchronously, through the bounce buffer if need be.
    private bool RetrySynchronously(int slot)
    {
        IoVec* iov = _slotIov + slot * QueueSize;
        long total = 0;
        for (int i = 0; i < _slotCount[slot]; i++)
            total += (long)iov[i].Length;
        return _slotWrite[slot]
            ? _backend.Write(iov, _slotCount[slot], _slotOffset[slot], total)
            : _backend.Read(iov, _slotCount[slot], _slotOffset[slot], total);
    }

    public override void Reset()
    {
        // Nothing may land in guest memory after the reset.
        _async?.Quiesce();
        ResetSlots();
        base.Reset();
    }

    private static void WriteStatus(DescriptorChain chain, byte status)
    {
        ref readonly VirtqSegment last = ref chain[chain.Count - 1];
        last.Span[(int)last.Length - 1] = status;
    }

    // Read or write `length` bytes at `sector`: the data buffers are the readable
    // bytes after the header (write) or the writable bytes before the status (read).
    private byte Transfer(DescriptorChain chain, ulong sector, ulong length, bool write)
    {
        if (write && _backend.ReadOnly)
            return VirtioBlk.StatusIoError;
        if (length % VirtioBlk.SectorSize != 0 || length > MaxDataLength || !InRange(sector, length / VirtioBlk.SectorSize))
            return VirtioBlk.StatusIoError;
        if (length == 0)
            return VirtioBlk.StatusOk;
        int count = write ? GatherReadable(chain) : GatherWritable(chain, length);
        long offset = (long)(sector * VirtioBlk.SectorSize);
        bool ok = write ? _backend.Write(_iov, count, offset, (long)length) : _backend.Read(_iov, count, offset, (long)length);
        return ok ? VirtioBlk.StatusOk : VirtioBlk.StatusIoError;
    }

    private bool InRange(ulong sector, ulong sectors) =>
        sector <= CapacitySectors && sectors <= CapacitySectors - sector;

    private int GatherReadable(DescriptorChain chain)
    {
        int count = 0;
        ulong skip = VirtioBlk.HeaderSize;
        for (int i = 0; i < chain.FirstWritable; i++)
        {
            ref readonly VirtqSegment s = ref chain[i];
            if (skip >= s.Length)
            {
                skip -= s.Length;
                continue;
            }
            _iov[count++] = new IoVec(s.HostAddress + (nint)skip, (nuint)(s.Length - skip));
            skip = 0;
        }
        return count;
    }

    private int GatherWritable(DescriptorChain chain, ulong length)
    {
        int count = 0;
        for (int i = chain.FirstWritable; i < chain.Count && length > 0; i++)
        {
            ref readonly VirtqSegment s = ref chain[i];
            ulong n = Math.Min(s.Length, length);
            _iov[count++] = new IoVec(s.HostAddress, (nuint)n);
            length -= n;
        }
        return count;
    }

    // Discard / write-zeroes: an array of 16-byte ranges after the header (5.2.6).
    private byte Ranges(DescriptorChain chain, bool discard)
    {
        ulong bytes = chain.ReadableLength - VirtioBlk.HeaderSize;
        if (bytes == 0 || bytes % VirtioBlk.RangeSize != 0 || bytes / VirtioBlk.RangeSize > MaxDiscardSegments)
            return VirtioBlk.StatusIoError;
        Span<byte> range = stackalloc byte[VirtioBlk.RangeSize];
        for (ulong at = VirtioBlk.HeaderSize; at < chain.ReadableLength; at += VirtioBlk.RangeSize)
        {
            chain.ReadFrom(at, range);
            ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(range);
            uint sectors = BinaryPrimitives.ReadUInt32LittleEndian(range.Slice(8));
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(range.Slice(12));
            // Discard with the unmap flag, or any unknown flag, is unsupported (5.2.6.2).
            if ((discard && flags != 0) || (flags & ~VirtioBlk.RangeFlagUnmap) != 0)
                return VirtioBlk.StatusUnsupported;
            if (sectors > MaxDiscardSectors || !InRange(sector, sectors))
                return VirtioBlk.StatusIoError;
            long offset = (long)sector * VirtioBlk.SectorSize, length = (long)sectors * VirtioBlk.SectorSize;
            bool ok = discard ? _backend.Discard(offset, length) : _backend.WriteZeroes(offset, length, (flags & VirtioBlk.RangeFlagUnmap) != 0);
            if (!ok)
                return VirtioBlk.StatusIoError;
        }
        return VirtioBlk.StatusOk;
    }

    public override void Dispose()
    {
        _async?.Quiesce();
        NativeMemory.Free(_iov);
        if (_slotIov != null)
            NativeMemory.Free(_slotIov);
        base.Dispose();
    }
}
