using System.Runtime.InteropServices;
using Emu.Core.Posix;

namespace Emu.Devices.Block;

/// <summary>
/// A Linux native AIO context (io_setup, io_submit, io_getevents) whose
/// completions signal an eventfd (IOCB_FLAG_RESFD). With O_DIRECT the
/// requests really run in parallel on the disk. Owns fixed arrays of iocbs
/// (one per tag); nothing is allocated per request.
///
/// An iocb carries the file's and the eventfd's numbers to the kernel, from
/// io_submit until the request completes; the context therefore holds both
/// descriptors open for its whole life (a reference on each handle), so
/// neither can be closed, and its number given to another file, while a
/// request may name it.
/// </summary>
internal sealed unsafe class LinuxAio : IDisposable
{
    private const nint SysIoSetup = 206, SysIoDestroy = 207, SysIoGetEvents = 208, SysIoSubmit = 209;

    private readonly int _depth;
    private readonly Iocb* _iocbs;
    private readonly Iocb** _queued;
    private readonly IoEvent* _events;
    private readonly long* _refused; // tag, -errno pairs of requests io_submit refused
    private ulong _context;
    private int _queuedCount;
    private int _refusedCount;
    private readonly FileDescriptor _file;
    private readonly int _fileNumber, _completionNumber;
    private bool _fileHeld, _completionHeld;

    public LinuxAio(FileDescriptor file, int depth)
    {
        // First, so a disposed file throws before anything is allocated.
        _file = file;
        file.DangerousAddRef(ref _fileHeld);
        _fileNumber = (int)file.DangerousGetHandle();
        _depth = depth;
        ulong context = 0;
        if (LibC.syscall(SysIoSetup, depth, (nint)(&context), 0) < 0)
        {
            int errno = Sys.LastErrno;
            _fileHeld = false;
            file.DangerousRelease();
            throw new PosixException("io_setup", errno);
        }
        _context = context;
        _iocbs = (Iocb*)NativeMemory.AllocZeroed((nuint)depth, (nuint)sizeof(Iocb));
        _queued = (Iocb**)NativeMemory.AllocZeroed((nuint)depth, (nuint)sizeof(Iocb*));
        _events = (IoEvent*)NativeMemory.AllocZeroed((nuint)depth, (nuint)sizeof(IoEvent));
        _refused = (long*)NativeMemory.AllocZeroed((nuint)depth * 2, sizeof(long));
        Completion = new EventFd(nonBlocking: true);
        Completion.Handle.DangerousAddRef(ref _completionHeld);
        _completionNumber = (int)Completion.Handle.DangerousGetHandle();
    }

    public EventFd Completion { get; }

    // The context id is the address of the kernel's completion ring, mapped in
    // this process: struct aio_ring { id, nr, head, tail, magic, ... } (fs/aio.c).
    // head != tail means completions wait; reading it costs no system call.
    private const uint AioRingMagic = 0xA10A10A1;

    /// <summary>Whether completions are waiting to be reaped (read from the shared ring, no system call).</summary>
    public bool HasCompletions
    {
        get
        {
            if (_context == 0 || Outstanding == 0)
                return _refusedCount > 0;
            uint* ring = (uint*)_context;
            return _refusedCount > 0 || (ring[4] == AioRingMagic && Volatile.Read(ref ring[2]) != Volatile.Read(ref ring[3]));
        }
    }

    /// <summary>Queued plus submitted and not yet reaped.</summary>
    public int Outstanding { get; private set; }

    public int Depth => _depth;

    /// <summary>Queues a vectored read or write under <paramref name="tag"/> (0 to depth - 1).</summary>
    public bool Enqueue(IoVec* iov, int count, long offset, bool write, ulong tag)
    {
        if (_context == 0 || Outstanding >= _depth || tag >= (ulong)_depth)
            return false;
        Iocb* cb = &_iocbs[tag];
        *cb = new Iocb
        {
            Data = tag,
            Opcode = write ? Iocb.CmdPwritev : Iocb.CmdPreadv,
            FileDescriptor = (uint)_fileNumber,
            Buffer = (ulong)iov,
            Count = (ulong)count,
            Offset = offset,
            Flags = Iocb.FlagResfd,
            ResultFd = (uint)_completionNumber,
        };
        _queued[_queuedCount++] = cb;
        Outstanding++;
        return true;
    }

    public void Submit()
    {
        int done = 0;
        while (done < _queuedCount)
        {
            nint n = LibC.syscall(SysIoSubmit, (nint)_context, _queuedCount - done, (nint)(_queued + done));
            if (n > 0)
            {
                done += (int)n;
                continue;
            }
            int errno = n < 0 ? Marshal.GetLastPInvokeError() : LibC.EAGAIN;
            if (errno == LibC.EINTR)
                continue;
            // The first queued request was refused: it completes with the error.
            Iocb* cb = _queued[done++];
            _refused[2 * _refusedCount] = (long)cb->Data;
            _refused[2 * _refusedCount + 1] = -errno;
            _refusedCount++;
        }
        _queuedCount = 0;
        if (_refusedCount > 0)
            Completion.Signal();
    }

    public int Reap(Span<BlockCompletion> completions)
    {
        int taken = 0;
        while (_refusedCount > 0 && taken < completions.Length)
        {
            _refusedCount--;
            completions[taken++] = new BlockCompletion((ulong)_refused[2 * _refusedCount], _refused[2 * _refusedCount + 1]);
            Outstanding--;
        }
        if (taken == completions.Length || Outstanding == 0)
            return taken;
        LibC.Timespec zero = default;
        nint n = BlockNative.syscall5(SysIoGetEvents, (nint)_context, 0, Math.Min(completions.Length - taken, _depth), (nint)_events, (nint)(&zero));
        for (int i = 0; i < (int)Math.Max(n, 0); i++)
        {
            completions[taken++] = new BlockCompletion(_events[i].Data, _events[i].Result);
            Outstanding--;
        }
        return taken;
    }

    /// <summary>Blocks until every submitted request finished (their results are dropped).</summary>
    public void Quiesce()
    {
        Submit();
        Span<BlockCompletion> scratch = stackalloc BlockCompletion[16];
        while (Outstanding > 0)
        {
            if (Reap(scratch) == 0)
                Thread.Sleep(1);
        }
        Completion.Wait();
    }

    public void Dispose()
    {
        if (_context != 0)
        {
            Quiesce();
            LibC.syscall(SysIoDestroy, (nint)_context, 0, 0);
            _context = 0;
        }
        NativeMemory.Free(_iocbs);
        NativeMemory.Free(_queued);
        NativeMemory.Free(_events);
        NativeMemory.Free(_refused);
        if (_completionHeld)
        {
            _completionHeld = false;
            Completion.Handle.DangerousRelease();
        }
        if (_fileHeld)
        {
            _fileHeld = false;
            _file.DangerousRelease();
        }
        Completion.Dispose();
    }
}
