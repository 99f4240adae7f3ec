using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// One client connection. A thread of the client's own receives into a
/// <see cref="Pipe"/> whose reader runs inline; the session's read loop
/// splits the input into messages and executes them one at a time, in order.
/// Output (replies and events) is queued and written to a
/// <see cref="PipeWriter"/> by one drainer at a time: after a command, the
/// read loop drains the queue itself, so a reply usually leaves on the thread
/// the request arrived on; events, which arrive on other threads, wake a
/// writer task instead, so nothing that produces output (another client's
/// command, the machine's control thread) ever waits for this client's
/// socket. A client whose unread output grows past
/// <see cref="MaxQueuedBytes"/> is disconnected.
/// </summary>
internal sealed class QmpSession
{
    public const long MaxQueuedBytes = 8L << 20;

    private readonly Socket _socket;
    private readonly QmpServer _server;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<byte[]> _outbound = new();
    private readonly SemaphoreSlim _wakeWriter = new(0);
    private readonly SemaphoreSlim _drainLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly ArrayBufferWriter<byte> _result = new(256);
    private readonly Utf8JsonWriter _resultWriter;
    private PipeWriter? _writer;
    private long _queuedBytes;
    private volatile bool _closing;
    private volatile bool _negotiated;

    public QmpSession(Socket socket, QmpServer server, int number, ILogger logger)
    {
        _socket = socket;
        _server = server;
        Number = number;
        _logger = logger;
        _resultWriter = new Utf8JsonWriter(_result, QmpReplyWriter.Options);
    }

    /// <summary>A number for log messages.</summary>
    public int Number { get; }

    /// <summary>True after qmp_capabilities: commands run and events are delivered.</summary>
    public bool Negotiated => _negotiated;

    public async Task RunAsync()
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        // Input: a thread of this client's own receives into a pipe whose reader
        // runs inline, so a command is parsed and executed, and its reply sent,
        // on the thread the kernel woke for it: one wake-up per round trip, as
        // in an event loop, and no other client shares that thread.
        var input = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var receiver = new Thread(() => Receive(input.Writer)) { IsBackground = true, Name = $"qmp-client-{Number}" };
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        Task writing = WriteLoopAsync();
        Reply(QmpReplyWriter.Greeting(_server.Context.Version));
        receiver.Start();
        try
        {
            await ReadLoopAsync(input.Reader).ConfigureAwait(false);
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            // The client went away; the machine carries on.
        }
        finally
        {
            Close();
            await writing.ConfigureAwait(false);
            await input.Reader.CompleteAsync().ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        // Disposing the stream closes the socket, which ends the receiving thread.
    }

    // The receiving thread: blocking reads into the input pipe until the client
    // or the session closes the connection. Flushing runs the session's read
    // loop inline, up to its next wait.
    private void Receive(PipeWriter input)
    {
        try
        {
            while (true)
            {
                Memory<byte> memory = input.GetMemory(4096);
                int received = _socket.Receive(memory.Span);
                if (received == 0)
                    break;
                input.Advance(received);
                ValueTask<FlushResult> flush = input.FlushAsync();
                FlushResult flushed = flush.IsCompletedSuccessfully ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
                if (flushed.IsCompleted)
                    break;
            }
        }
        catch (Exception e) when (IsDisconnect(e))
        {
        }
        finally
        {
            input.Complete();
        }
    }

    /// <summary>Queues a message from another thread (an event); never blocks, never writes on the caller's thread.</summary>
    public void Send(byte[] message)
    {
        if (Enqueue(message))
            _wakeWriter.Release();
    }

    /// <summary>Stops taking commands, lets the queued output drain, then closes.</summary>
    public void Close()
    {
        _closing = true;
        _wakeWriter.Release();
    }

    // A reply from this session's own loop: queued, then written right here if no drain is under way.
    private void Reply(byte[] message)
    {
        if (Enqueue(message))
            _ = DrainAsync(wait: false);
    }

    private bool Enqueue(byte[] message)
    {
        if (Interlocked.Add(ref _queuedBytes, message.Length) > MaxQueuedBytes)
        {
            Abort($"QMP client {Number} does not read its replies and events ({MaxQueuedBytes >> 20} MiB waiting); disconnecting it");
            return false;
        }
        _outbound.Enqueue(message);
        return true;
    }

    private void Abort(string why)
    {
        if (_closed.IsCancellationRequested)
            return;
        _logger.LogWarning("{Reason}", why);
        _closing = true;
        _closed.Cancel();
        // A send blocked on a full socket buffer does not end by cancellation
        // alone: closing the socket fails it, and the session winds down.
        _socket.Dispose();
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
                PipeWriter writer = _writer!;
                long unflushed = 0;
                while (_outbound.TryDequeue(out byte[]? message))
                {
                    if (_closed.IsCancellationRequested)
                        return;
                    writer.Write(message);
                    Interlocked.Add(ref _queuedBytes, -message.Length);
                    unflushed += message.Length;
                    // Flush when the queue is empty, and every 64 KiB of a long burst.
                    if (_outbound.IsEmpty || unflushed >= 64 * 1024)
                    {
                        unflushed = 0;
                        FlushResult flushed = await writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                        if (flushed.IsCompleted || flushed.IsCanceled)
                        {
                            _closed.Cancel();
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (IsDisconnect(e))
            {
                _closed.Cancel();
                return;
            }
            finally
            {
                _drainLock.Release();
            }
            if (_outbound.IsEmpty)
                return;
            wait = false;
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await _wakeWriter.WaitAsync(_closed.Token).ConfigureAwait(false);
                await DrainAsync(wait: true).ConfigureAwait(false);
                if (_closing && _outbound.IsEmpty)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // Output is over (drained, or the client is gone): stop reading too.
            _closed.Cancel();
        }
    }

    private async Task ReadLoopAsync(PipeReader reader)
    {
        var framer = new QmpMessageFramer(_server.MaxMessageBytes);
        var frames = new List<QmpFrame>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync(_closed.Token).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                framer.Feed(segment.Span, frames);
            reader.AdvanceTo(result.Buffer.End);
            foreach (QmpFrame frame in frames)
            {
                if (_closed.IsCancellationRequested)
                    return;
                await HandleFrameAsync(frame).ConfigureAwait(false);
            }
            frames.Clear();
            if (result.IsCompleted || result.IsCanceled)
                return;
        }
    }

    private async Task HandleFrameAsync(QmpFrame frame)
    {
        switch (frame.Kind)
        {
            case QmpFrameKind.TooLarge:
                Reply(QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message exceeds the limit of {_server.MaxMessageBytes} bytes", null));
                return;
            case QmpFrameKind.TooDeep:
                Reply(QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message nested deeper than {QmpMessageFramer.MaxDepth} levels", null));
                return;
            case QmpFrameKind.Unbalanced:
                Reply(QmpReplyWriter.Error(QmpErrorClass.GenericError, "JSON parse error, closing bracket without an opening one", null));
                return;
        }
        QmpRequest? request = QmpRequest.Parse(frame.Bytes, out string? error, out JsonElement? id, out JsonDocument? document);
        if (request == null)
        {
            Reply(QmpReplyWriter.Error(QmpErrorClass.GenericError, error!, id));
            document?.Dispose();
            return;
        }
        using (request)
            Reply(await ExecuteAsync(request).ConfigureAwait(false));
    }

    private async Task<byte[]> ExecuteAsync(QmpRequest request)
    {
        QmpCommand? command = _server.Context.Commands.Find(request.Command);
        bool capabilities = command is Commands.QmpCapabilitiesCommand;
        if (!_negotiated && !capabilities)
            return QmpReplyWriter.Error(QmpErrorClass.CommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'", request.Id);
        if (_negotiated && capabilities)
            return QmpReplyWriter.Error(QmpErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored", request.Id);
        if (command == null)
            return QmpReplyWriter.Error(QmpErrorClass.CommandNotFound, $"The command {request.Command} has not been found", request.Id);
        _result.ResetWrittenCount();
        _resultWriter.Reset(_result);
        bool locked = false;
        try
        {
            var call = new QmpCall(_server.Context, QmpArguments.Check(command, request.Arguments), _resultWriter);
            if (command.Exclusive)
            {
                await _server.ExclusiveLock.WaitAsync().ConfigureAwait(false);
                locked = true;
            }
            await command.ExecuteAsync(call).ConfigureAwait(false);
            _resultWriter.Flush();
        }
        catch (QmpException e)
        {
            return QmpReplyWriter.Error(e.ErrorClass, e.Message, request.Id);
        }
        catch (Exception e) when (e is PropertyValueException or MachineConfigurationException or KconfigException)
        {
            return QmpReplyWriter.Error(QmpErrorClass.GenericError, e.Message, request.Id);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "QMP command {Command} failed", request.Command);
            return QmpReplyWriter.Error(QmpErrorClass.GenericError, $"{request.Command} failed: {e.Message}", request.Id);
        }
        finally
        {
            if (locked)
                _server.ExclusiveLock.Release();
        }
        if (capabilities)
            _negotiated = true;
        return QmpReplyWriter.Return(_result.WrittenCount == 0 ? "{}"u8 : _result.WrittenSpan, request.Id);
    }

    private static bool IsDisconnect(Exception e) =>
        e is IOException or SocketException or OperationCanceledException or ObjectDisposedException;
}
