using Emu.Core.Posix;

namespace Emu.Devices.Block;

/// <summary>
/// A backend that can have many requests in flight (Linux AIO on an O_DIRECT
/// image): requests are queued, submitted in one batch, and their
/// completions are signalled on <see cref="CompletionHandle"/> and reaped on the
/// device's worker thread. Allocation-free; the caller's scatter lists must
/// stay valid until the request completes.
/// </summary>
public unsafe interface IAsyncBlockBackend
{
    /// <summary>
    /// An eventfd that becomes readable when requests complete (once async
    /// requests are enabled). The backend owns it: watch it, never dispose it.
    /// </summary>
    FileDescriptor? CompletionHandle { get; }

    /// <summary>Whether completions are waiting (cheap: for polling).</summary>
    bool HasCompletions { get; }

    /// <summary>Requests queued or in flight.</summary>
    int Outstanding { get; }

    /// <summary>Queues a read or write; false when the queue is full (serve it synchronously).</summary>
    bool Enqueue(IoVec* iov, int count, long offset, bool write, ulong tag);

    /// <summary>Submits everything queued; requests the kernel refuses complete with -errno.</summary>
    void Submit();

    /// <summary>Takes finished requests, without blocking.</summary>
    int Reap(Span<BlockCompletion> completions);

    /// <summary>Waits until nothing is in flight (device reset).</summary>
    void Quiesce();
}
