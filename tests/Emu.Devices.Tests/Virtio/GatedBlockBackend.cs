using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Tests.Virtio;

/// <summary>
/// A memory disk whose flushes wait at a gate the test opens: the device's
/// worker can be held in the middle of a request, at a moment the test chooses.
/// </summary>
internal sealed unsafe class GatedBlockBackend : IBlockBackend
{
    private readonly MemoryBlockBackend _inner = new(1 << 20);
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly ManualResetEventSlim _entered = new(false);

    public long Length => _inner.Length;

    public bool ReadOnly => false;

    /// <summary>Set once a flush is waiting at the gate.</summary>
    public WaitHandle Entered => _entered.WaitHandle;

    /// <summary>Lets every waiting and later flush through.</summary>
    public void Open() => _gate.Set();

    public bool Read(IoVec* iov, int count, long offset, long total) => _inner.Read(iov, count, offset, total);

    public bool Write(IoVec* iov, int count, long offset, long total) => _inner.Write(iov, count, offset, total);

    public bool Flush()
    {
        _entered.Set();
        _gate.Wait();
        return true;
    }

    public bool Discard(long offset, long length) => _inner.Discard(offset, length);

    public bool WriteZeroes(long offset, long length, bool unmap) => _inner.WriteZeroes(offset, length, unmap);

    public void Dispose()
    {
        _gate.Set();
        _inner.Dispose();
    }
}
