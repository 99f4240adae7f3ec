using System.Buffers.Binary;
using System.Text;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Console;
using Emu.Devices.Virtio.Net;
using Emu.Devices.Virtio.Rng;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// virtio-rng, the console and virtio-net served through their queues as a driver would use them.
public sealed class SmallDeviceTests : IDisposable
{
    private const ushort Size = 32;
    private readonly GuestRam _ram = new();
    private readonly RecordingTransport _transport = new();

    public void Dispose() => _ram.Dispose();

    private QueueDriver Queue(VirtioDevice device, int index, ulong features = VirtioFeatures.Transport)
    {
        var driver = new QueueDriver(_ram.Memory, 0x10000 + 0x10000UL * (ulong)index, Size);
        Assert.True(driver.Configure(device.Queues[index], features));
        return driver;
    }

    [Fact]
    public void Rng_fills_every_writable_byte_with_random_data()
    {
        var rng = new VirtioRngDevice();
        rng.Attach(_transport, _ram.Memory);
        QueueDriver q = Queue(rng, 0);
        rng.Activate(VirtioFeatures.Transport);
        q.SetDescriptor(0, 0x100000, 64, D.FlagWrite | D.FlagNext, 1);
        q.SetDescriptor(1, 0x100100, 4096, D.FlagWrite);
        q.Publish(0);
        rng.ProcessQueue(0);

        Assert.Equal((0u, 4160u), q.TakeUsed());
        Assert.NotEqual(new byte[64], _ram.Bytes(0x100000, 64).ToArray());
        Assert.True(_ram.Bytes(0x100100, 4096).ToArray().Distinct().Count() > 200);
        Assert.Equal(4160, rng.BytesProvided);
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Rng_refuses_driver_readable_buffers()
    {
        var rng = new VirtioRngDevice();
        rng.Attach(_transport, _ram.Memory);
        QueueDriver q = Queue(rng, 0);
        q.SetDescriptor(0, 0x100000, 64);
        q.Publish(0);
        rng.ProcessQueue(0);
        Assert.Single(_transport.Failures);
        Assert.Null(q.TakeUsed());
    }

    [Fact]
    public void Console_output_reaches_the_chardev_and_input_reaches_the_guest()
    {
        var chardev = RecordingChardev.Create();
        using var console = new VirtioConsoleDevice(chardev);
        console.Attach(_transport, _ram.Memory);
        QueueDriver rx = Queue(console, VirtioConsoleDevice.ReceiveQueue);
        QueueDriver tx = Queue(console, VirtioConsoleDevice.TransmitQueue);
        console.Activate(VirtioFeatures.Transport);

        Encoding.ASCII.GetBytes("hello from hvc0\n").CopyTo(_ram.Bytes(0x100000, 16));
        tx.SetDescriptor(0, 0x100000, 6, D.FlagNext, 1);
        tx.SetDescriptor(1, 0x100006, 10);
        tx.Publish(0);
        console.ProcessQueue(VirtioConsoleDevice.TransmitQueue);
        Assert.Equal("hello from hvc0\n", Encoding.ASCII.GetString(chardev.Written));
        Assert.Equal((0u, 0u), tx.TakeUsed());

        // Input before the driver has buffers waits in the device.
        Assert.Equal(5, chardev.Offer("typed"u8));
        console.ProcessBackend();
        Assert.Null(rx.TakeUsed());
        rx.SetDescriptor(0, 0x200000, 3, D.FlagWrite);
        rx.SetDescriptor(1, 0x200010, 64, D.FlagWrite);
        rx.Publish(0);
        rx.Publish(1);
        console.ProcessQueue(VirtioConsoleDevice.ReceiveQueue);
        Assert.Equal((0u, 3u), rx.TakeUsed());
        Assert.Equal((1u, 2u), rx.TakeUsed());
        Assert.Equal("typ", Encoding.ASCII.GetString(_ram.Bytes(0x200000, 3)));
        Assert.Equal("ed", Encoding.ASCII.GetString(_ram.Bytes(0x200010, 2)));
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Net_sends_frames_to_the_backend_and_merges_received_frames_over_buffers()
    {
        using var wire = new DatagramPairBackend();
        using var net = new VirtioNetDevice(wire, [0x52, 0x54, 0, 0x12, 0x34, 0x56]);
        net.Attach(_transport, _ram.Memory);
        ulong features = VirtioFeatures.Transport | VirtioNetDevice.FeatureMergeableRxBuffers;
        QueueDriver rx = Queue(net, VirtioNetDevice.ReceiveQueue, features);
        QueueDriver tx = Queue(net, VirtioNetDevice.TransmitQueue, features);
        net.Activate(features);
        Span<byte> config = stackalloc byte[10];
        net.ReadConfig(0, config);
        Assert.Equal(new byte[] { 0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0, 1, 0 }, config.ToArray());

        // Transmit: a 12-byte header and a 60-byte frame in two buffers.
        _ram.Bytes(0x100000, 12).Clear();
        for (int i = 0; i < 60; i++)
            _ram.Bytes(0x100100, 60)[i] = (byte)i;
        tx.SetDescriptor(0, 0x100000, 12, D.FlagNext, 1);
        tx.SetDescriptor(1, 0x100100, 60);
        tx.Publish(0);
        net.ProcessQueue(VirtioNetDevice.TransmitQueue);
        byte[]? sent = wire.Receive();
        Assert.NotNull(sent);
        Assert.Equal(72, sent.Length);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (byte)i).ToArray(), sent[12..]);

        // Receive: a 3000-byte frame over 2048-byte buffers takes two, num_buffers = 2.
        byte[] frame = new byte[12 + 3000];
        for (int i = 12; i < frame.Length; i++)
            frame[i] = (byte)(i * 3);
        wire.Send(frame);
        for (int i = 0; i < 4; i++)
        {
            rx.SetDescriptor(i, 0x300000 + 0x1000UL * (ulong)i, 2048, D.FlagWrite);
            rx.Publish((ushort)i);
        }
        net.ProcessQueue(VirtioNetDevice.ReceiveQueue);
        Assert.Equal((0u, 2048u), rx.TakeUsed());
        Assert.Equal((1u, 964u), rx.TakeUsed());
        Assert.Null(rx.TakeUsed());
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(_ram.Bytes(0x300000 + 10, 2)));
        Assert.Equal(frame[12..2048], _ram.Bytes(0x300000 + 12, 2036).ToArray());
        Assert.Equal(frame[2048..], _ram.Bytes(0x301000, 964).ToArray());
        Assert.Equal(1, net.FramesReceived);
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Net_keeps_a_frame_until_the_driver_gives_enough_buffers()
    {
        using var wire = new DatagramPairBackend();
        using var net = new VirtioNetDevice(wire, [2, 0, 0, 0, 0, 1]);
        net.Attach(_transport, _ram.Memory);
        ulong features = VirtioFeatures.Transport | VirtioNetDevice.FeatureMergeableRxBuffers;
        QueueDriver rx = Queue(net, VirtioNetDevice.ReceiveQueue, features);
        net.Activate(features);

        wire.Send(new byte[12 + 1000]);
        rx.SetDescriptor(0, 0x300000, 512, D.FlagWrite);
        rx.Publish(0);
        net.ProcessBackend();
        Assert.Null(rx.TakeUsed());              // one 512-byte buffer is not enough: nothing used
        rx.SetDescriptor(1, 0x301000, 512, D.FlagWrite);
        rx.SetDescriptor(2, 0x302000, 512, D.FlagWrite);
        rx.Publish(1);
        rx.Publish(2);
        net.ProcessQueue(VirtioNetDevice.ReceiveQueue);
        Assert.Equal((0u, 512u), rx.TakeUsed());
        Assert.Equal((1u, 500u), rx.TakeUsed());
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(_ram.Bytes(0x300000 + 10, 2)));
    }
}
