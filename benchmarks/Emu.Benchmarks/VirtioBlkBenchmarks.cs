using BenchmarkDotNet.Attributes;
using Emu.Devices.Block;
using Emu.Devices.Virtio;
using Emu.Devices.Virtio.Blk;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Benchmarks;

/// <summary>
/// A whole virtio-blk 4 KiB read through the device (pop, parse, backend
/// copy, status, push, notification check) on an in-memory disk: the
/// device's own cost per request. Allocated bytes must be 0.
/// </summary>
[MemoryDiagnoser]
public class VirtioBlkBenchmarks
{
    private BenchmarkRam _ram = null!;
    private MemoryBlockBackend _disk = null!;
    private VirtioBlockDevice _device = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ram = new BenchmarkRam(256);
        _disk = new MemoryBlockBackend(16 << 20);
        _device = new VirtioBlockDevice(_disk, "bench");
        _device.Attach(new NullTransport(), _ram.Memory);
        _ram.Configure(_device.Queues[0], VirtioFeatures.Transport);
        _device.Activate(VirtioFeatures.Transport);
        _ram.Memory.Write(new Core.Memory.GuestAddress(0x100000), 0UL);           // IN
        _ram.Memory.Write(new Core.Memory.GuestAddress(0x100008), 64UL);          // sector 64
        _ram.SetDescriptor(BenchmarkRam.Desc, 0, 0x100000, 16, D.FlagNext, 1);
        _ram.SetDescriptor(BenchmarkRam.Desc, 1, 0x101000, 4096, D.FlagNext | D.FlagWrite, 2);
        _ram.SetDescriptor(BenchmarkRam.Desc, 2, 0x102000, 1, D.FlagWrite, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _device.Dispose();
        _disk.Dispose();
        _ram.Dispose();
    }

    [Benchmark(Description = "virtio-blk 4 KiB read request")]
    public long Read4K()
    {
        _ram.Publish(0);
        _device.ProcessQueue(0);
        return _device.Requests;
    }
}
