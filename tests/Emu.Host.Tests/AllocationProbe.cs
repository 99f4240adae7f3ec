using Emu.Core.Memory;

namespace Emu.Host.Tests;

/// <summary>
/// A device window that counts guest accesses and reads the vCPU thread's
/// allocation counter at two of them, so a test can see what the whole exit
/// path (KVM_RUN, exit decoding, flat-view dispatch) allocated in between.
/// </summary>
internal sealed class AllocationProbe : IIoHandler
{
    private readonly long _first;
    private readonly long _last;
    private long _count;

    public AllocationProbe(long first, long last)
    {
        _first = first;
        _last = last;
    }

    public long Count => _count;

    public long? BytesBetween { get; private set; }

    private long _before;

    public void Read(ulong offset, Span<byte> data)
    {
        Observe();
        data.Clear();
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data) => Observe();

    private void Observe()
    {
        long n = ++_count;
        if (n == _first)
            _before = GC.GetAllocatedBytesForCurrentThread();
        else if (n == _last)
            BytesBetween = GC.GetAllocatedBytesForCurrentThread() - _before;
    }
}
