using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Tests.Virtio;

/// <summary>An 8 GiB disk that moves no data (reads leave the buffers as they are): for requests too large to move for real.</summary>
internal sealed unsafe class HugeZeroDisk : IBlockBackend
{
    public long Length => 8L << 30;

    public bool ReadOnly => false;

    public long Reads { get; private set; }

    public bool Read(IoVec* iov, int count, long offset, long total)
    {
        Reads++;
        return true;
    }

    public bool Write(IoVec* iov, int count, long offset, long total) => true;

    public bool Flush() => true;

    public bool Discard(long offset, long length) => true;

    public bool WriteZeroes(long offset, long length, bool unmap) => true;

    public void Dispose()
    {
    }
}
