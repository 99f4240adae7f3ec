using Emu.Core.Posix;

namespace Emu.Devices.Block;

/// <summary>
/// Where a block device's data lives (a raw image file, memory). Called on
/// device worker threads; implementations must not allocate per request.
/// Offsets and lengths have been checked against <see cref="Length"/> by the caller.
/// </summary>
public unsafe interface IBlockBackend : IDisposable
{
    /// <summary>Size in bytes.</summary>
    long Length { get; }

    bool ReadOnly { get; }

    /// <summary>Reads <paramref name="total"/> bytes at <paramref name="offset"/> into the buffers; false on an I/O error.</summary>
    bool Read(IoVec* iov, int count, long offset, long total);

    /// <summary>Writes <paramref name="total"/> bytes at <paramref name="offset"/> from the buffers; false on an I/O error.</summary>
    bool Write(IoVec* iov, int count, long offset, long total);

    /// <summary>Makes every completed write durable (reaches the disk); false on an I/O error.</summary>
    bool Flush();

    /// <summary>Deallocates a range (reads return zeros afterwards for a raw file); false when not possible.</summary>
    bool Discard(long offset, long length);

    /// <summary>Makes a range read as zeros, deallocating it if <paramref name="unmap"/> allows.</summary>
    bool WriteZeroes(long offset, long length, bool unmap);
}
