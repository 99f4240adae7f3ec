using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// One client connection. A thread of the client's own blocks in receive and
/// feeds a <see cref="Pipe"/> whose reader runs inline: the read loop splits
/// the input into messages and runs them one at a time, in order, on the
/// thread the kernel woke (one wake-up per round trip, as in an event loop,
/// and no other client shares that thread). Replies and events leave through
/// the <see cref="QmpOutbox"/>; a client that does not read its output is
/// disconnected, and the other clients and the guest carry on.
/// </summary>
internal sealed class QmpSession
{
    private readonly Socket _socket;
    private readonly QmpServer _server;
    private readonly ILogger _logger;
    private readonly QmpDispatcher _dispatcher;
    private readonly CancellationTokenSource _closed = new();
    private QmpOutbox? _outbox;

    // A command being run and a close asked for meanwhile: the close waits for the
    // command's reply, so a client never loses the answer to a command that took
    // effect (a qom-set that lets the guest's next reset end the machine, say).
    private readonly Lock _gate = new();
    private bool _running, _closeRequested;

    public QmpSession(Socket socket, QmpServer server, int number, ILogger logger)
    {
        _socket = socket;
        _server = server;
        Number = number;
        _logger = logger;
        _dispatcher = new QmpDispatcher(server, logger);
    }

    /// <summary>A number for log messages.</summary>
    public int Number { get; }

    /// <summary>True after qmp_capabilities: commands run and events are delivered.</summary>
    public bool Negotiated => _dispatcher.Negotiated;

    public async Task RunAsync()
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var input = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var receiver = new Thread(() => Receive(input.Writer)) { IsBackground = true, Name = $"qmp-client-{Number}" };
        PipeWriter output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _outbox = new QmpOutbox(output, _closed, () => Abort($"QMP client {Number} does not read its replies and events ({QmpOutbox.MaxQueuedBytes >> 20} MiB waiting); disconnecting it"));
        Task writing = _outbox.RunAsync();
        _outbox.Reply(QmpReplyWriter.Greeting(_server.Context.Version));
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
            _outbox.Close();
            await writing.ConfigureAwait(false);
            await input.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                // Completing flushes what is still buffered: to a client that
                // left, that fails, and there is nobody left to tell.
                await output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (IsDisconnect(e))
            {
            }
        }
        // Disposing the stream closes the socket, which ends the receiving thread.
    }

    /// <summary>Queues an event (from any thread); never blocks.</summary>
    public void Send(byte[] message) => _outbox?.Post(message);

    /// <summary>Stops taking commands, lets the queued output (and the reply of a command being run) drain, then closes.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closeRequested = true;
            if (_running)
                return; // the read loop closes once the reply is queued
        }
        _outbox?.Close();
    }

    private void Abort(string why)
    {
        if (_closed.IsCancellationRequested)
            return;
        _logger.LogWarning("{Reason}", why);
        _closed.Cancel();
        // A send blocked on a full socket buffer does not end by cancellation
        // alone: closing the socket fails it, and the session winds down.
        _socket.Dispose();
    }

    // The receiving thread: blocking reads into the input pipe until the client
    // or the session closes the connection. Flushing runs the read loop inline,
    // up to its next wait.
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
                lock (_gate)
                {
                    if (_closed.IsCancellationRequested || _closeRequested)
                        return;
                    _running = true;
                }
                _outbox!.Reply(await ReplyToAsync(frame).ConfigureAwait(false));
                lock (_gate)
                {
                    _running = false;
                    if (_closeRequested)
                    {
                        _outbox.Close();
                        return;
                    }
                }
            }
            frames.Clear();
            if (result.IsCompleted || result.IsCanceled)
                return;
        }
    }

    private async Task<byte[]> ReplyToAsync(QmpFrame frame)
    {
        switch (frame.Kind)
        {
            case QmpFrameKind.TooLarge:
                return QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message exceeds the limit of {_server.MaxMessageBytes} bytes", null);
            case QmpFrameKind.TooDeep:
                return QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message nested deeper than {QmpMessageFramer.MaxDepth} levels", null);
            case QmpFrameKind.Unbalanced:
                return QmpReplyWriter.Error(QmpErrorClass.GenericError, "JSON parse error, closing bracket without an opening one", null);
        }
        QmpRequest? request = QmpRequest.Parse(frame.Bytes, out string? error, out JsonElement? id, out JsonDocument? document);
        if (request == null)
        {
            byte[] reply = QmpReplyWriter.Error(QmpErrorClass.GenericError, error!, id);
            document?.Dispose();
            return reply;
        }
        using (request)
            return await _dispatcher.ExecuteAsync(request).ConfigureAwait(false);
    }

    private static bool IsDisconnect(Exception e) =>
        e is IOException or SocketException or OperationCanceledException or ObjectDisposedException;
}
