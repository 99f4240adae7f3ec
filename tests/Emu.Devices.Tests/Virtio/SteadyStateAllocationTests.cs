using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Console;
using Emu.Devices.Virtio.Net;
using Emu.Devices.Virtio.Rng;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Devices.Tests.Virtio;

// The other devices' request paths allocate nothing either (virtio-blk: VirtioBlockDeviceTests).
public sealed class SteadyStateAllocationTests : IDisposable
{
    private const int Iterations = 100_000;
    private readonly GuestRam _ram = new();
    private readonly RecordingTransport _transport = new();

    public void Dispose() => _ram.Dispose();

    private static long Measure(Action<int> run)
    {
        run(1000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        run(Iterations);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private QueueDriver Queue(VirtioDevice device, int index)
    {
        var driver = new QueueDriver(_ram.Memory, 0x10000 + 0x10000UL * (ulong)index, 64);
        Assert.True(driver.Configure(device.Queues[index], VirtioFeatures.Transport | VirtioNetDevice.FeatureMergeableRxBuffers));
        return driver;
    }

    [Fact]
    public void Rng_requests_allocate_nothing()
    {
        var rng = new VirtioRngDevice();
        rng.Attach(_transport, _ram.Memory);
        QueueDriver q = Queue(rng, 0);
        q.SetDescriptor(0, 0x100000, 64, D.FlagWrite);
        long allocated = Measure(n =>
        {
            for (int i = 0; i < n; i++)
            {
                q.Publish(0);
                rng.ProcessQueue(0);
                q.TakeUsed();
            }
        });
        Assert.Equal(0, allocated);
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Console_output_allocates_nothing()
    {
        using var console = new VirtioConsoleDevice(null);
        console.Attach(_transport, _ram.Memory);
        QueueDriver tx = Queue(console, VirtioConsoleDevice.TransmitQueue);
        tx.SetDescriptor(0, 0x100000, 80);
        int used = 0;
        long allocated = Measure(n =>
        {
            for (int i = 0; i < n; i++)
            {
                tx.Publish(0);
                console.ProcessQueue(VirtioConsoleDevice.TransmitQueue);
                if (tx.TakeUsed() is (0, _))
                    used++;
            }
        });
        Assert.Equal(0, allocated);
        // Every request came back on the used ring with its 80 bytes sent, and the queue never failed.
        Assert.Equal(Iterations + 1000, used);
        Assert.Equal(80L * (Iterations + 1000), console.BytesOut);
        Assert.Empty(_transport.Failures);
    }

    [Fact]
    public void Net_transmit_and_receive_allocate_nothing()
    {
        using var wire = new DatagramPairBackend();
        using var net = new VirtioNetDevice(wire, [2, 0, 0, 0, 0, 1]);
        net.Attach(_transport, _ram.Memory);
        QueueDriver rx = Queue(net, VirtioNetDevice.ReceiveQueue);
        QueueDriver tx = Queue(net, VirtioNetDevice.TransmitQueue);
        net.Activate(VirtioFeatures.Transport | VirtioNetDevice.FeatureMergeableRxBuffers);
        tx.SetDescriptor(0, 0x100000, 12 + 64);
        rx.SetDescriptor(0, 0x200000, 2048, D.FlagWrite);
        byte[] frame = new byte[12 + 64];
        long allocated = Measure(n =>
        {
            for (int i = 0; i < n; i++)
            {
                tx.Publish(0);
                net.ProcessQueue(VirtioNetDevice.TransmitQueue);
                tx.TakeUsed();
                wire.Send(frame);
                rx.Publish(0);
                net.ProcessQueue(VirtioNetDevice.ReceiveQueue);
                rx.TakeUsed();
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(Iterations + 1000, net.FramesReceived);
        Assert.Empty(_transport.Failures);
    }
}
