using BenchmarkDotNet.Attributes;
using Emu.Devices.Virtio;
using D = Emu.Devices.Virtio.VirtqDescriptor;

namespace Emu.Benchmarks;

/// <summary>
/// The split virtqueue's device path: take a chain from the available ring
/// (validating every descriptor), return it on the used ring. Allocated
/// bytes must be 0.
/// </summary>
[MemoryDiagnoser]
public class VirtqueueBenchmarks
{
    private BenchmarkRam _ram = null!;
    private SplitQueue _queue = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ram = new BenchmarkRam(256);
        _queue = new SplitQueue(_ram.Memory, 0, 256);
        _ram.Configure(_queue, VirtioFeatures.Transport);
        // head 0: header, 4 KiB data, status (a block request)
        _ram.SetDescriptor(BenchmarkRam.Desc, 0, 0x100000, 16, D.FlagNext, 1);
        _ram.SetDescriptor(BenchmarkRam.Desc, 1, 0x101000, 4096, D.FlagNext | D.FlagWrite, 2);
        _ram.SetDescriptor(BenchmarkRam.Desc, 2, 0x102000, 1, D.FlagWrite, 0);
        // head 3: an indirect table of 8 descriptors
        const ulong table = 0x200000;
        for (int i = 0; i < 8; i++)
            _ram.SetDescriptor(table, i, 0x300000 + 0x1000UL * (ulong)i, 4096, (ushort)(i < 7 ? D.FlagNext | D.FlagWrite : D.FlagWrite), (ushort)(i + 1));
        _ram.SetDescriptor(BenchmarkRam.Desc, 3, table, 8 * 16, D.FlagIndirect, 0);
    }

    [GlobalCleanup]
    public void Cleanup() => _ram.Dispose();

    [Benchmark(Description = "pop+push, 3-descriptor chain")]
    public int PopPushDirect()
    {
        _ram.Publish(0);
        _queue.TryPop();
        _queue.Push(_queue.Chain.Head, 4097);
        return _queue.Chain.Count;
    }

    [Benchmark(Description = "pop+push, indirect table of 8")]
    public int PopPushIndirect()
    {
        _ram.Publish(3);
        _queue.TryPop();
        _queue.Push(_queue.Chain.Head, 8 * 4096);
        return _queue.Chain.Count;
    }

    [Benchmark(Description = "used-buffer notification check (EVENT_IDX)")]
    public bool ShouldNotify() => _queue.ShouldNotify();
}
