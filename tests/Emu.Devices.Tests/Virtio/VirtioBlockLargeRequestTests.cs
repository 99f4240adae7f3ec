using System.Buffers.Binary;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// Issue 15, item 9: the used length is 32 bits; a read it cannot describe is refused.
public sealed class VirtioBlockLargeRequestTests
{
    private const ushort Size = 64;
    private const ulong Header = 0x100000, Status = 0x100100, Data = 16UL << 20;
    private const uint Piece = 100U << 20;

    // 62 buffers of 100 MiB (all over the same guest memory) make a 6.2 GiB
    // read; its used length was (uint)dataIn + 1, which wrapped to about 2 GiB,
    // with status OK: the driver was told a wrong count.
    [Theory]
    [InlineData(62)]  // 6.2 GiB
    [InlineData(41)]  // 4.0039 GiB: just past 2^32
    public void AReadWhoseLengthDoesNotFitTheUsedRingFailsWithIoerr(int pieces)
    {
        using var ram = new GuestRam(128UL << 20);
        var transport = new RecordingTransport();
        var disk = new HugeZeroDisk();
        using var device = new VirtioBlockDevice(disk, "big", queueSize: 256);
        device.Attach(transport, ram.Memory);
        var driver = new QueueDriver(ram.Memory, 0x10000, Size);
        Assert.True(driver.Configure(device.Queues[0], VirtioFeatures.Transport));
        device.Activate(VirtioFeatures.Transport);

        Span<byte> h = ram.Bytes(Header, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(h, VirtioBlk.TypeIn);
        BinaryPrimitives.WriteUInt64LittleEndian(h.Slice(8), 0);
        ram.Bytes(Status, 1)[0] = 0xEE;
        driver.SetDescriptor(0, Header, 16, D.FlagNext, 1);
        for (int i = 1; i <= pieces; i++)
            driver.SetDescriptor(i, Data, Piece, (ushort)(D.FlagNext | D.FlagWrite), (ushort)(i + 1));
        driver.SetDescriptor(pieces + 1, Status, 1, D.FlagWrite);
        driver.Publish(0);
        device.ProcessQueue(0);
        var used = driver.TakeUsed();
        Assert.NotNull(used);
        Assert.Equal(VirtioBlk.StatusIoError, ram.Bytes(Status, 1)[0]);
        Assert.Equal(1u, used.Value.Length);
        Assert.Equal(0, disk.Reads);
        Assert.Empty(transport.Failures);
    }
}
