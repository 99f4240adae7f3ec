using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.Block;

/// <summary>
/// A raw disk image: guest sectors are file bytes. Requests go straight to
/// preadv/pwritev on the guest's buffers (one system call per request);
/// flush is fdatasync, so acknowledged writes are on the disk; discard and
/// write-zeroes punch or zero ranges with fallocate. With cache=none the file
/// is opened O_DIRECT, bypassing the host page cache; buffers the kernel
/// refuses for direct I/O (misaligned) go through an aligned bounce buffer.
/// </summary>
public sealed unsafe class RawFileBackend : IBlockBackend, IAsyncBlockBackend
{
    private const int BounceSize = 1 << 20;
    private const int DirectAlignment = 4096;

    private readonly FileDescriptor _file;
    private byte* _bounce;
    private LinuxAio? _aio;

    private RawFileBackend(FileDescriptor file, long length, bool readOnly, bool direct)
    {
        _file = file;
        Length = length;
        ReadOnly = readOnly;
        Direct = direct;
    }

    public long Length { get; }

    public bool ReadOnly { get; }

    /// <summary>Opened with O_DIRECT (cache=none).</summary>
    public bool Direct { get; }

    public string? Path { get; private init; }

    /// <summary>Opens <paramref name="path"/>; throws <see cref="IOException"/> with a one-line reason.</summary>
    public static RawFileBackend Open(string path, bool readOnly, bool direct)
    {
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC | (direct ? LibC.O_DIRECT : 0);
        int fd = LibC.open(path, flags, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"could not open '{path}': {LibC.ErrorText(errno)}");
        }
        var file = new FileDescriptor(fd);
        long length;
        try
        {
            length = new FileInfo(path).Length;
            if (Directory.Exists(path))
                throw new IOException($"'{path}' is a directory, not a disk image");
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return new RawFileBackend(file, length & ~511L, readOnly, direct) { Path = path };
    }

    public bool Read(IoVec* iov, int count, long offset, long total)
    {
        if (Transfer(iov, count, offset, total, write: false))
            return true;
        return Direct && Marshal.GetLastPInvokeError() == LibC.EINVAL && Bounce(iov, count, offset, write: false);
    }

    public bool Write(IoVec* iov, int count, long offset, long total)
    {
        if (ReadOnly)
            return false;
        if (Transfer(iov, count, offset, total, write: true))
            return true;
        return Direct && Marshal.GetLastPInvokeError() == LibC.EINVAL && Bounce(iov, count, offset, write: true);
    }

    // preadv/pwritev until everything moved; short transfers continue where they stopped.
    private bool Transfer(IoVec* iov, int count, long offset, long total, bool write)
    {
        long done = 0;
        while (done < total)
        {
            nint n = write ? BlockNative.pwritev(_file.Fd, iov, count, offset + done) : BlockNative.preadv(_file.Fd, iov, count, offset + done);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                    continue;
                return false;
            }
            if (n == 0)
            {
                if (write)
                    return false;
                // Past the end of a file whose size is not a sector multiple: zeros.
                ZeroRest(iov, count, done);
                return true;
            }
            done += n;
            if (done < total)
                Advance(ref iov, ref count, n);
        }
        return true;
    }

    // Skips n bytes of the list, in place (the caller's list is scratch).
    private static void Advance(ref IoVec* iov, ref int count, nint n)
    {
        nuint left = (nuint)n;
        while (count > 0 && left >= iov->Length)
        {
            left -= iov->Length;
            iov++;
            count--;
        }
        if (count > 0)
        {
            iov->Base += (nint)left;
            iov->Length -= left;
        }
    }

    private static void ZeroRest(IoVec* iov, int count, long skip)
    {
        for (int i = 0; i < count; i++)
        {
            long length = (long)iov[i].Length;
            if (skip >= length)
            {
                skip -= length;
                continue;
            }
            new Span<byte>((byte*)iov[i].Base + skip, (int)(length - skip)).Clear();
            skip = 0;
        }
    }

    // Direct I/O through an aligned buffer, a megabyte at a time.
    private bool Bounce(IoVec* iov, int count, long offset, bool write)
    {
        if (_bounce == null)
            _bounce = (byte*)NativeMemory.AlignedAlloc(BounceSize, DirectAlignment);
        int segment = 0;
        nuint inSegment = 0;
        while (segment < count)
        {
            // Gather up to BounceSize bytes of the list.
            int chunk = 0;
            int s = segment;
            nuint at = inSegment;
            while (s < count && chunk < BounceSize)
            {
                int n = (int)Math.Min((ulong)(BounceSize - chunk), (ulong)(iov[s].Length - at));
                if (write)
                    new ReadOnlySpan<byte>((byte*)iov[s].Base + (nint)at, n).CopyTo(new Span<byte>(_bounce + chunk, n));
                chunk += n;
                at += (nuint)n;
                if (at == iov[s].Length)
                {
                    s++;
                    at = 0;
                }
            }
            var one = new IoVec((nint)_bounce, (nuint)chunk);
            if (!Transfer(&one, 1, offset, chunk, write))
                return false;
            if (!write)
            {
                int copied = 0;
                while (copied < chunk)
                {
                    int n = (int)Math.Min((ulong)(chunk - copied), (ulong)(iov[segment].Length - inSegment));
                    new ReadOnlySpan<byte>(_bounce + copied, n).CopyTo(new Span<byte>((byte*)iov[segment].Base + (nint)inSegment, n));
                    copied += n;
                    inSegment += (nuint)n;
                    if (inSegment == iov[segment].Length)
                    {
                        segment++;
                        inSegment = 0;
                    }
                }
            }
            else
            {
                segment = s;
                inSegment = at;
            }
            offset += chunk;
        }
        return true;
    }

    public bool Flush()
    {
        while (LibC.fdatasync(_file.Fd) < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                return false;
        }
        return true;
    }

    public bool Discard(long offset, long length) =>
        !ReadOnly && LibC.fallocate(_file.Fd, BlockNative.FALLOC_FL_PUNCH_HOLE | BlockNative.FALLOC_FL_KEEP_SIZE, offset, length) == 0;

    public bool WriteZeroes(long offset, long length, bool unmap)
    {
        if (ReadOnly)
            return false;
        int mode = unmap ? BlockNative.FALLOC_FL_PUNCH_HOLE | BlockNative.FALLOC_FL_KEEP_SIZE : BlockNative.FALLOC_FL_ZERO_RANGE | BlockNative.FALLOC_FL_KEEP_SIZE;
        if (LibC.fallocate(_file.Fd, mode, offset, length) == 0)
            return true;
        // File systems without the fallocate mode: write zeros.
        if (_bounce == null)
            _bounce = (byte*)NativeMemory.AlignedAlloc(BounceSize, DirectAlignment);
        new Span<byte>(_bounce, BounceSize).Clear();
        while (length > 0)
        {
            int n = (int)Math.Min(length, BounceSize);
            var one = new IoVec((nint)_bounce, (nuint)n);
            if (!Transfer(&one, 1, offset, n, write: true))
                return false;
            offset += n;
            length -= n;
        }
        return true;
    }

    // ---- asynchronous requests (Linux AIO; only worth it with O_DIRECT) ------

    /// <summary>Starts the AIO context for up to <paramref name="depth"/> requests in flight; false when not used (buffered files).</summary>
    public bool EnableAsync(int depth)
    {
        if (!Direct)
            return false;
        _aio ??= new LinuxAio(depth);
        return true;
    }

    public int CompletionFd => _aio?.Completion.Fd ?? -1;

    public int Outstanding => _aio?.Outstanding ?? 0;

    public bool HasCompletions => _aio?.HasCompletions ?? false;

    public bool Enqueue(IoVec* iov, int count, long offset, bool write, ulong tag) =>
        _aio != null && !(write && ReadOnly) && _aio.Enqueue(_file.Fd, iov, count, offset, write, tag);

    public void Submit() => _aio?.Submit();

    public int Reap(Span<BlockCompletion> completions)
    {
        if (_aio == null)
            return 0;
        _aio.Completion.Wait();
        return _aio.Reap(completions);
    }

    public void Quiesce() => _aio?.Quiesce();

    public void Dispose()
    {
        _aio?.Dispose();
        _file.Dispose();
        if (_bounce != null)
        {
            NativeMemory.AlignedFree(_bounce);
            _bounce = null;
        }
    }
}
