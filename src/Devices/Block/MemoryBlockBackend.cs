using Emu.Core.Posix;
using System.Runtime.InteropServices;

namespace Emu.Devices.Block;

/// <summary>A disk in host memory (tests, benchmarks, scratch disks).</summary>
public sealed unsafe class MemoryBlockBackend : IBlockBackend
{
    private byte* _data;

    public MemoryBlockBackend(long length, bool readOnly = false)
    {
        if (length <= 0 || length % 512 != 0)
            throw new ArgumentOutOfRangeException(nameof(length));
        _data = (byte*)NativeMemory.AllocZeroed((nuint)length);
        Length = length;
        ReadOnly = readOnly;
    }

    public long Length { get; }

    public bool ReadOnly { get; }

    public long Flushes { get; private set; }

    public Span<byte> Contents(long offset, int length) => new(_data + offset, length);

    public bool Read(IoVec* iov, int count, long offset, long total)
    {
        for (int i = 0; i < count; i++)
        {
            new ReadOnlySpan<byte>(_data + offset, (int)iov[i].Length).CopyTo(new Span<byte>((void*)iov[i].Base, (int)iov[i].Length));
            offset += (long)iov[i].Length;
        }
        return true;
    }

    public bool Write(IoVec* iov, int count, long offset, long total)
    {
        for (int i = 0; i < count; i++)
        {
            new ReadOnlySpan<byte>((void*)iov[i].Base, (int)iov[i].Length).CopyTo(new Span<byte>(_data + offset, (int)iov[i].Length));
            offset += (long)iov[i].Length;
        }
        return true;
    }

    public bool Flush()
    {
        Flushes++;
        return true;
    }

    public bool Discard(long offset, long length) => WriteZeroes(offset, length, true);

    public bool WriteZeroes(long offset, long length, bool unmap)
    {
        new Span<byte>(_data + offset, (int)length).Clear();
        return true;
    }

    public void Dispose()
    {
        NativeMemory.Free(_data);
        _data = null;
    }
}
