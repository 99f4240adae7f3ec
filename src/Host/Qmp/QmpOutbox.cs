using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace Emu.Host.Qmp;

/// <summary>
/// A client's outgoing messages. They are queued and written to the
/// connection's <see cref="PipeWriter"/> by one drainer at a time: a reply is
/// drained by the session's read loop itself (so it usually leaves on the
/// thread the request arrived on); a message posted from another thread (an
/// event) wakes the outbox's writer task instead, so the threads that raise
/// events never write to a socket. Output left unread past
/// <see cref="MaxQueuedBytes"/> means the client is not reading:
/// <c>onOverflow</c> disconnects it.
/// </summary>
internal sealed class QmpOutbox
{
    public const long MaxQueuedBytes = 8L << 20;
    private const int FlushEvery = 64 * 1024;

    private readonly PipeWriter _writer;
    private readonly CancellationTokenSource _closed;
    private readonly Action _onOverflow;
    private readonly ConcurrentQueue<byte[]> _queue = new();
    private readonly SemaphoreSlim _wakeWriter = new(0);
    private readonly SemaphoreSlim _drainLock = new(1, 1);
    private long _queuedBytes;
    private volatile bool _closing;

    /// <param name="writer">The connection's output.</param>
    /// <param name="closed">Cancelled when the connection is over; the outbox cancels it too when writing fails or it has drained after <see cref="Close"/>.</param>
    /// <param name="onOverflow">Called (once the limit is passed) to disconnect the client.</param>
    public QmpOutbox(PipeWriter writer, CancellationTokenSource closed, Action onOverflow)
    {
        _writer = writer;
        _closed = closed;
        _onOverflow = onOverflow;
    }

    /// <summary>From any thread (an event): queues and wakes the writer task; never blocks, never writes here.</summary>
    public void Post(byte[] message)
    {
        if (Enqueue(message))
            _wakeWriter.Release();
    }

    /// <summary>From the session's read loop: queues and writes right away unless a drain is under way.</summary>
    public void Reply(byte[] message)
    {
        if (Enqueue(message))
            _ = DrainAsync(wait: false);
    }

    /// <summary>No more messages: the writer task writes what is queued, then ends.</summary>
    public void Close()
    {
        _closing = true;
        _wakeWriter.Release();
    }

    /// <summary>The writer task; ends when the outbox is closed and drained, or the connection fails.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await _wakeWriter.WaitAsync(_closed.Token).ConfigureAwait(false);
                await DrainAsync(wait: true).ConfigureAwait(false);
                if (_closing && _queue.IsEmpty)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // Output is over (drained, or the client is gone): the session stops reading too.
            _closed.Cancel();
        }
    }

    private bool Enqueue(byte[] message)
    {
        if (Interlocked.Add(ref _queuedBytes, message.Length) > MaxQueuedBytes)
        {
            _closing = true;
            _onOverflow();
            return false;
        }
        _queue.Enqueue(message);
        return true;
    }

    // Writes everything queued and flushes; one drainer at a time. With wait
    // false it leaves the work to a drain already under way, which looks at
    // the queue again before it lets go.
    private async Task DrainAsync(bool wait)
    {
        while (true)
        {
            if (wait)
                await _drainLock.WaitAsync().ConfigureAwait(false);
            else if (!_drainLock.Wait(0))
                return;
            try
            {
                long unflushed = 0;
                while (_queue.TryDequeue(out byte[]? message))
                {
                    if (_closed.IsCancellationRequested)
                        return;
                    _writer.Write(message);
                    Interlocked.Add(ref _queuedBytes, -message.Length);
                    unflushed += message.Length;
                    // Flush when the queue is empty, and every 64 KiB of a long burst.
                    if (_queue.IsEmpty || unflushed >= FlushEvery)
                    {
                        unflushed = 0;
                        FlushResult flushed = await _writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                        if (flushed.IsCompleted || flushed.IsCanceled)
                        {
                            _closed.Cancel();
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
            {
                _closed.Cancel();
                return;
            }
            finally
            {
                _drainLock.Release();
            }
            if (_queue.IsEmpty)
                return;
            wait = false;
        }
    }
}
