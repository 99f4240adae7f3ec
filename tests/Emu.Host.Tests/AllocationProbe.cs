using Emu.Core.Memory;

namespace Emu.Host.Tests;

/// <summary>
/// A device window that counts guest accesses and, after a warm-up, reads the
/// vCPU thread's allocation counter at the edges of consecutive windows of
/// accesses, so a test can see what the whole exit path (KVM_RUN, exit
/// decoding, flat-view dispatch) allocated in each window. The collection count
/// is read with it: a garbage collection that runs inside a window (started by
/// another thread of the test process) re-bases the thread's allocation
/// context, and the counter may then move by a few bytes that no code on this
/// thread allocated, so such a window proves nothing either way.
/// </summary>
internal sealed class AllocationProbe : IIoHandler
{
    private readonly long _warmUp;
    private readonly long _windowLength;
    private readonly AllocationWindow[] _windows;
    private long _count;
    private long _bytesAtStart;
    private int _collectionsAtStart;

    public AllocationProbe(long warmUp, long windowLength, int windows)
    {
        _warmUp = warmUp;
        _windowLength = windowLength;
        _windows = new AllocationWindow[windows];
    }

    /// <summary>Accesses the guest must make for every window to close.</summary>
    public long AccessesNeeded => _warmUp + _windowLength * _windows.Length;

    public long Count => _count;

    public IReadOnlyList<AllocationWindow> Windows => _windows;

    public void Read(ulong offset, Span<byte> data)
    {
        Observe();
        data.Clear();
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data) => Observe();

    private void Observe()
    {
        long n = ++_count;
        if (n < _warmUp || (n - _warmUp) % _windowLength != 0)
            return;
        long window = (n - _warmUp) / _windowLength;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        int collections = GC.CollectionCount(0);
        if (window > 0 && window <= _windows.Length)
            _windows[window - 1] = new AllocationWindow(bytes - _bytesAtStart, collections != _collectionsAtStart, Closed: true);
        _bytesAtStart = GC.GetAllocatedBytesForCurrentThread();
        _collectionsAtStart = GC.CollectionCount(0);
    }
}
