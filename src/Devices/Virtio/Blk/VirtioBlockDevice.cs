using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Emu.Devices.Block;

namespace Emu.Devices.Virtio.Blk;

/// <summary>
/// virtio-blk (virtio 1.2 section 5.2): one request queue; read, write,
/// flush, get-id, discard and write-zeroes on an <see cref="IBlockBackend"/>.
/// A request is a 16-byte header (type, reserved, sector), data, and a status
/// byte in the last device-writable byte (5.2.6). Malformed requests (no
/// header, no status byte) put the device in DEVICE_NEEDS_RESET; requests
/// outside the disk, of odd lengths or against a read-only disk complete with
/// VIRTIO_BLK_S_IOERR. Allocation-free: the scatter list is preallocated.
/// </summary>
public sealed unsafe class VirtioBlockDevice : VirtioDevice
{
    public const ushort DefaultQueueSize = 256;
    private const uint MaxDiscardSectors = 1 << 22;
    private const uint MaxDiscardSegments = 32;

    private readonly IBlockBackend _backend;
    private readonly byte[] _id = new byte[VirtioBlk.IdLength];
    private readonly IoVec* _iov;
    private long _requests;

    public VirtioBlockDevice(IBlockBackend backend, string? serial, ushort queueSize = DefaultQueueSize)
        : base(VirtioDeviceId.Block, 1, queueSize)
    {
        _backend = backend;
        Encoding.ASCII.GetBytes(serial ?? "", 0, Math.Min((serial ?? "").Length, VirtioBlk.IdLength), _id, 0);
        _iov = (IoVec*)NativeMemory.Alloc((nuint)queueSize, (nuint)sizeof(IoVec));
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

    protected override bool HandleChain(SplitQueue queue, DescriptorChain chain, out uint written)
    {
        written = 0;
        if (chain.ReadableLength < VirtioBlk.HeaderSize || chain.WritableLength < 1)
            return false;
        Span<byte> header = stackalloc byte[VirtioBlk.HeaderSize];
        chain.ReadFrom(0, header);
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(8));
        ulong dataIn = chain.WritableLength - 1; // the status byte is the last writable byte
        byte status;
        uint dataWritten = 0;
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
        return true;
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
        if (length % VirtioBlk.SectorSize != 0 || !InRange(sector, length / VirtioBlk.SectorSize))
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
        NativeMemory.Free(_iov);
        base.Dispose();
    }
}
