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
    private readonly IoCall _read, _write;
    private byte* _bounce;
    private LinuxAio? _aio;
    // Every change to the file bumps _changes; a flush that had nothing in flight
    // records the count it covered. A flush with no change since then has nothing to
    // make durable and skips fdatasync (as QEMU's block layer does): a migration flushes
    // every disk while the guest is stopped, and on an idle disk that fdatasync was
    // most of the time the guest's state took to save.
    private long _changes;
    private long _flushedChanges = -1;
    private long _syncs;

    private RawFileBackend(FileDescriptor file, long length, bool readOnly, bool direct, IoCall read, IoCall write)
    {
        _file = file;
        Length = length;
        ReadOnly = readOnly;
        Direct = direct;
        _read = read;
        _write = write;
    }

    public long Length { get; }

    public bool ReadOnly { get; }

    /// <summary>Opened with O_DIRECT (cache=none).</summary>
    public bool Direct { get; }

    public string? Path { get; private init; }

    /// <summary>Opens <paramref name="path"/> (an image file or a host block device); throws <see cref="IOException"/> with a one-line reason.</summary>
    public static RawFileBackend Open(string path, bool readOnly, bool direct)
    {
        if (Directory.Exists(path))
            throw new IOException($"'{path}' is a directory, not a disk image");
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_CLOEXEC | (direct ? LibC.O_DIRECT : 0);
        int fd = LibC.open(path, flags, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"could not open '{path}': {LibC.ErrorText(errno)}");
        }
        var file = new FileDescriptor(fd);
        // The size as lseek(SEEK_END) gives it: a regular file's length, and a
        // block device's capacity too (whose st_size, which FileInfo reads, is 0).
        long length = LibC.lseek(file, 0, LibC.SEEK_END);
        if (length < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw new IOException($"could not size '{path}': {LibC.ErrorText(errno)}");
        }
        return new RawFileBackend(file, length & ~511L, readOnly, direct, FileIo.PositionalRead, FileIo.PositionalWrite) { Path = path };
    }

    /// <summary>A backend on an open descriptor whose system calls are <paramref name="read"/> and <paramref name="write"/> (tests put short transfers and failures there).</summary>
    internal static RawFileBackend ForTest(FileDescriptor file, long length, bool direct, IoCall read, IoCall write) =>
        new(file, length, readOnly: false, direct, read, write);

    public bool Read(IoVec* iov, int count, long offset, long total) => Move(iov, count, offset, total, write: false);

    public bool Write(IoVec* iov, int count, long offset, long total) => !ReadOnly && Changed() && Move(iov, count, offset, total, write: true);

    /// <summary>fdatasync calls made so far (a flush with nothing new to make durable makes none).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    private bool Changed()
    {
        Interlocked.Increment(ref _changes);
        return true;
    }

    // preadv/pwritev until everything moved. With O_DIRECT the kernel refuses
    // (EINVAL) buffers that are not aligned; the rest then goes through the
    // bounce buffer, from where the direct transfer stopped: the list has been
    // advanced past what moved, and the file offset is offset + done.
    private bool Move(IoVec* iov, int count, long offset, long total, bool write)
    {
        int result = FileIo.Transfer(_file, write ? _write : _read, ref iov, ref count, offset, total, out long done);
        switch (result)
        {
            case FileIo.Complete:
                return true;
            case FileIo.EndOfFile:
                if (write)
                    return false;
                // Past the end of a file whose size is not a sector multiple (or
                // that shrank under us): the rest of the list reads as zeros.
                ZeroAll(iov, count);
                return true;
            case LibC.EINVAL when Direct:
                return Bounce(iov, count, offset + done, total - done, write);
            default:
                return false;
        }
    }

    private static void ZeroAll(IoVec* iov, int count)
    {
        for (int i = 0; i < count; i++)
        {
            for (nuint at = 0; at < iov[i].Length;)
            {
                int n = (int)Math.Min(iov[i].Length - at, (nuint)int.MaxValue);
                new Span<byte>((byte*)iov[i].Base + (nint)at, n).Clear();
                at += (nuint)n;
            }
        }
    }

    // Direct I/O through an aligned buffer, a megabyte at a time: total bytes of the list, at offset.
    private bool Bounce(IoVec* iov, int count, long offset, long total, bool write)
    {
        if (_bounce == null)
            _bounce = (byte*)NativeMemory.AlignedAlloc(BounceSize, DirectAlignment);
        IoVec* gather = iov;
        int gatherCount = count;
        while (total > 0)
        {
            int chunk = (int)Math.Min(total, BounceSize);
            if (write)
                Copy(ref gather, ref gatherCount, chunk, toList: false);
            int result = FileIo.Transfer(_file, write ? _write : _read, _bounce, chunk, offset, out long moved);
            if (result == FileIo.EndOfFile && !write)
                new Span<byte>(_bounce + moved, chunk - (int)moved).Clear();
            else if (result != FileIo.Complete)
                return false;
            if (!write)
                Copy(ref iov, ref count, chunk, toList: true);
            offset += chunk;
            total -= chunk;
        }
        return true;
    }

    // Copies n bytes between the bounce buffer's start and the list, advancing the list.
    private void Copy(ref IoVec* iov, ref int count, int n, bool toList)
    {
        int copied = 0;
        while (copied < n && count > 0)
        {
            int piece = (int)Math.Min((ulong)(n - copied), (ulong)iov->Length);
            var list = new Span<byte>((byte*)iov->Base, piece);
            var bounce = new Span<byte>(_bounce + copied, piece);
            if (toList)
                bounce.CopyTo(list);
            else
                list.CopyTo(bounce);
            copied += piece;
            FileIo.Advance(ref iov, ref count, piece);
        }
    }

    public bool Flush()
    {
        long changes = Interlocked.Read(ref _changes);
        // A write still in flight may complete after fdatasync started: this flush then covers nothing for sure.
        bool covers = Outstanding == 0;
        if (covers && changes == Interlocked.Read(ref _flushedChanges))
            return true;
        Interlocked.Increment(ref _syncs);
        while (LibC.fdatasync(_file) < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                return false;
        }
        if (covers)
            Interlocked.Exchange(ref _flushedChanges, changes);
        return true;
    }

    public bool Discard(long offset, long length) =>
        !ReadOnly && Changed() && LibC.fallocate(_file, BlockNative.FALLOC_FL_PUNCH_HOLE | BlockNative.FALLOC_FL_KEEP_SIZE, offset, length) == 0;

    public bool WriteZeroes(long offset, long length, bool unmap)
    {
        if (ReadOnly)
            return false;
        Changed();
        int mode = unmap ? BlockNative.FALLOC_FL_PUNCH_HOLE | BlockNative.FALLOC_FL_KEEP_SIZE : BlockNative.FALLOC_FL_ZERO_RANGE | BlockNative.FALLOC_FL_KEEP_SIZE;
        if (LibC.fallocate(_file, mode, offset, length) == 0)
            return true;
        // File systems without the fallocate mode: write zeros.
        if (_bounce == null)
            _bounce = (byte*)NativeMemory.AlignedAlloc(BounceSize, DirectAlignment);
        new Span<byte>(_bounce, BounceSize).Clear();
        while (length > 0)
        {
            int n = (int)Math.Min(length, BounceSize);
            if (FileIo.Transfer(_file, _write, _bounce, n, offset, out _) != FileIo.Complete)
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
        _aio ??= new LinuxAio(_file, depth);
        return true;
    }

    public FileDescriptor? CompletionHandle => _aio?.Completion.Handle;

    public int Outstanding => _aio?.Outstanding ?? 0;

    public bool HasCompletions => _aio?.HasCompletions ?? false;

    public bool Enqueue(IoVec* iov, int count, long offset, bool write, ulong tag) =>
        _aio != null && !(write && ReadOnly) && (!write || Changed()) && _aio.Enqueue(iov, count, offset, write, tag);

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
        _aio = null;
        _file.Dispose();
        if (_bounce != null)
        {
            NativeMemory.AlignedFree(_bounce);
            _bounce = null;
        }
    }
}
