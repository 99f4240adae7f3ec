using System.Buffers.Binary;
using Emu.Core.Memory;
using Emu.Devices.Block;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// virtio-blk requests end to end on an in-memory disk: what a driver sees in
// its buffers, status bytes and used ring.
public sealed class VirtioBlockDeviceTests : IDisposable
{
    private const ushort Size = 64;
    private const ulong Header = 0x100000, Data = 0x101000, Status = 0x103000;
    private readonly GuestRam _ram = new();
    private readonly RecordingTransport _transport = new();
    private readonly MemoryBlockBackend _disk;
    private readonly VirtioBlockDevice _device;
    private readonly QueueDriver _driver;

    public VirtioBlockDeviceTests() : this(readOnly: false)
    {
    }

    private VirtioBlockDeviceTests(bool readOnly)
    {
        _disk = new MemoryBlockBackend(1 << 20, readOnly);
        _device = new VirtioBlockDevice(_disk, "test-serial-0123456789", queueSize: 256);
        _device.Attach(_transport, _ram.Memory);
        _driver = new QueueDriver(_ram.Memory, 0x10000, Size);
        Assert.True(_driver.Configure(_device.Queues[0], VirtioFeatures.Transport));
        _device.Activate(VirtioFeatures.Transport);
    }

    public void Dispose()
    {
        _device.Dispose();
        _disk.Dispose();
        _ram.Dispose();
    }

    private void WriteHeader(uint type, ulong sector)
    {
        Span<byte> h = _ram.Bytes(Header, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(h, type);
        BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(4), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(h.Slice(8), sector);
    }

    // header -> data (length bytes, device-writable for reads) -> status
    private (byte Status, uint Written) Request(uint type, ulong sector, uint length, bool deviceWrites)
    {
        WriteHeader(type, sector);
        _ram.Bytes(Status, 1)[0] = 0xEE;
        _driver.SetDescriptor(0, Header, 16, D.FlagNext, length == 0 ? (ushort)2 : (ushort)1);
        if (length != 0)
            _driver.SetDescriptor(1, Data, length, (ushort)(D.FlagNext | (deviceWrites ? D.FlagWrite : 0)), 2);
        _driver.SetDescriptor(2, Status, 1, D.FlagWrite);
        _driver.Publish(0);
        _device.ProcessQueue(0);
        var used = _driver.TakeUsed();
        Assert.NotNull(used);
        Assert.Equal(0u, used.Value.Id);
        return (_ram.Bytes(Status, 1)[0], used.Value.Length);
    }

    [Fact]
    public void Written_sectors_are_on_the_disk_and_read_back()
    {
        for (int i = 0; i < 1024; i++)
            _ram.Bytes(Data, 1024)[i] = (byte)(i * 7);
        var write = Request(VirtioBlk.TypeOut, 10, 1024, deviceWrites: false);
        Assert.Equal((VirtioBlk.StatusOk, 1u), write);
        Assert.Equal(_ram.Bytes(Data, 1024).ToArray(), _disk.Contents(10 * 512, 1024).ToArray());

        _ram.Bytes(Data, 1024).Clear();
        var read = Request(VirtioBlk.TypeIn, 10, 1024, deviceWrites: true);
        Assert.Equal((VirtioBlk.StatusOk, 1025u), read);
        Assert.Equal(_disk.Contents(10 * 512, 1024).ToArray(), _ram.Bytes(Data, 1024).ToArray());
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void A_request_split_at_odd_places_is_served_the_same()
    {
        // Header split over two buffers, data and status in one (2.6.4 message framing).
        _disk.Contents(512, 4)[0] = 0x5A;
        WriteHeader(VirtioBlk.TypeIn, 1);
        _driver.SetDescriptor(0, Header, 5, D.FlagNext, 1);
        _driver.SetDescriptor(1, Header + 5, 11, D.FlagNext, 2);
        _driver.SetDescriptor(2, Data, 513, D.FlagWrite);
        _driver.Publish(0);
        _device.ProcessQueue(0);
        Assert.Equal((0u, 513u), _driver.TakeUsed());
        Assert.Equal(0x5A, _ram.Bytes(Data, 1)[0]);
        Assert.Equal(VirtioBlk.StatusOk, _ram.Bytes(Data + 512, 1)[0]);
    }

    [Fact]
    public void Flush_reaches_the_backend()
    {
        Assert.Equal((VirtioBlk.StatusOk, 1u), Request(VirtioBlk.TypeFlush, 0, 0, deviceWrites: false));
        Assert.Equal(1, _disk.Flushes);
    }

    [Fact]
    public void Get_id_returns_the_first_20_bytes_of_the_serial()
    {
        var r = Request(VirtioBlk.TypeGetId, 0, 20, deviceWrites: true);
        Assert.Equal((VirtioBlk.StatusOk, 21u), r);
        Assert.Equal("test-serial-01234567", System.Text.Encoding.ASCII.GetString(_ram.Bytes(Data, 20)));
    }

    [Theory]
    [InlineData(2048UL, 512u)]           // starts at the end of the disk
    [InlineData(2047UL, 1024u)]          // runs past the end
    [InlineData(ulong.MaxValue, 512u)]   // sector * 512 would overflow
    [InlineData(0UL, 700u)]              // not a whole number of sectors
    public void Requests_outside_the_disk_fail_with_ioerr(ulong sector, uint length)
    {
        Assert.Equal(VirtioBlk.StatusIoError, Request(VirtioBlk.TypeIn, sector, length, deviceWrites: true).Status);
        Assert.Equal(VirtioBlk.StatusIoError, Request(VirtioBlk.TypeOut, sector, length, deviceWrites: false).Status);
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Unknown_request_types_are_unsupported()
    {
        Assert.Equal(VirtioBlk.StatusUnsupported, Request(0x77, 0, 512, deviceWrites: true).Status);
    }

    [Fact]
    public void Discard_and_write_zeroes_clear_ranges()
    {
        _disk.Contents(0, 4096).Fill(0xAB);
        Span<byte> range = _ram.Bytes(Data, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(range, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(range.Slice(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(range.Slice(12), 0);
        Assert.Equal(VirtioBlk.StatusOk, Request(VirtioBlk.TypeWriteZeroes, 0, 16, deviceWrites: false).Status);
        Assert.All(_disk.Contents(1024, 1024).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(0xAB, _disk.Contents(1023, 1)[0]);
        Assert.Equal(0xAB, _disk.Contents(2048, 1)[0]);
        // Discard must not carry the unmap flag (5.2.6.2).
        BinaryPrimitives.WriteUInt32LittleEndian(range.Slice(12), VirtioBlk.RangeFlagUnmap);
        Assert.Equal(VirtioBlk.StatusUnsupported, Request(VirtioBlk.TypeDiscard, 0, 16, deviceWrites: false).Status);
    }

    [Fact]
    public void A_read_only_disk_refuses_writes_and_says_so_in_its_features()
    {
        using var test = new VirtioBlockDeviceTests(readOnly: true);
        Assert.NotEqual(0UL, test._device.DeviceFeatures & VirtioBlk.FeatureReadOnly);
        Assert.Equal(0UL, test._device.DeviceFeatures & VirtioBlk.FeatureDiscard);
        test._ram.Bytes(Data, 512).Fill(0x11);
        Assert.Equal(VirtioBlk.StatusIoError, test.Request(VirtioBlk.TypeOut, 0, 512, deviceWrites: false).Status);
        Assert.Equal(0, test._disk.Contents(0, 1)[0]);
    }

    [Fact]
    public void A_request_without_a_status_byte_puts_the_device_in_needs_reset()
    {
        WriteHeader(VirtioBlk.TypeIn, 0);
        _driver.SetDescriptor(0, Header, 16);
        _driver.Publish(0);
        _device.ProcessQueue(0);
        Assert.Single(_transport.Failures);
        Assert.Contains("BadRequest", _transport.Failures[0]);
        Assert.Null(_driver.TakeUsed());
    }

    [Fact]
    public void A_request_with_a_short_header_puts_the_device_in_needs_reset()
    {
        _driver.SetDescriptor(0, Header, 8, D.FlagNext, 2);
        _driver.SetDescriptor(2, Status, 1, D.FlagWrite);
        _driver.Publish(0);
        _device.ProcessQueue(0);
        Assert.Single(_transport.Failures);
    }

    [Fact]
    public void A_hostile_chain_puts_the_device_in_needs_reset_once()
    {
        _driver.SetDescriptor(0, Header, 16, D.FlagNext, 0);
        _driver.Publish(0);
        _driver.Publish(0);
        _device.ProcessQueue(0);
        Assert.Equal(["queue 0: ChainTooLong (chain head 0, available index 0)"], _transport.Failures);
    }

    [Fact]
    public void Requests_allocate_nothing_in_steady_state()
    {
        WriteHeader(VirtioBlk.TypeIn, 8);
        _driver.SetDescriptor(0, Header, 16, D.FlagNext, 1);
        _driver.SetDescriptor(1, Data, 4096, D.FlagNext | D.FlagWrite, 2);
        _driver.SetDescriptor(2, Status, 1, D.FlagWrite);
        void Run(int n)
        {
            for (int i = 0; i < n; i++)
            {
                _driver.Publish(0);
                _device.ProcessQueue(0);
                _driver.TakeUsed();
            }
        }
        Run(1000); // warm up: JIT, tiering
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(101_000, _device.Requests);
        Assert.Empty(_transport.Failures);
    }
}
