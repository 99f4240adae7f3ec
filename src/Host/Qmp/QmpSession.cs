using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// One client connection. Input is read through a <see cref="PipeReader"/>,
/// split into messages and executed one at a time, in order; output (replies
/// and events) goes through a queue to a writer task and a
/// <see cref="PipeWriter"/>, so that nothing that produces output (another
/// client's command, the machine's control thread raising an event) ever
/// waits for this client's socket. A client whose unread output grows past
/// <see cref="MaxQueuedBytes"/> is disconnected instead.
/// </summary>
internal sealed class QmpSession
{
    public const long MaxQueuedBytes = 8L << 20;

    private readonly Socket _socket;
    private readonly QmpServer _server;
    private readonly ILogger _logger;
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly ArrayBufferWriter<byte> _result = new(256);
    private readonly Utf8JsonWriter _resultWriter;
    private long _queuedBytes;
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
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        PipeWriter writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        Task writing = WriteLoopAsync(writer);
        Send(QmpReplyWriter.Greeting(_server.Context.Version));
        try
        {
            await ReadLoopAsync(reader).ConfigureAwait(false);
        }
        catch (Exception e) when (IsDisconnect(e))
        {
            // The client went away; the machine carries on.
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writing.ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Queues a message; never blocks. Disconnects a client that does not read its output.</summary>
    public void Send(byte[] message)
    {
        if (Interlocked.Add(ref _queuedBytes, message.Length) > MaxQueuedBytes)
        {
            Abort($"QMP client {Number} does not read its replies and events ({MaxQueuedBytes >> 20} MiB waiting); disconnecting it");
            return;
        }
        _outbound.Writer.TryWrite(message);
    }

    /// <summary>Stops taking commands, lets the queued output drain, then closes.</summary>
    public void Close() => _outbound.Writer.TryComplete();

    private void Abort(string why)
    {
        if (_closed.IsCancellationRequested)
            return;
        _logger.LogWarning("{Reason}", why);
        _outbound.Writer.TryComplete();
        _closed.Cancel();
        // A send blocked on a full socket buffer does not end by cancellation
        // alone: closing the socket fails it, and the session winds down.
        _socket.Dispose();
    }

    private async Task WriteLoopAsync(PipeWriter writer)
    {
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (_outbound.Reader.TryRead(out byte[]? message))
                {
                    writer.Write(message);
                    Interlocked.Add(ref _queuedBytes, -message.Length);
                }
                FlushResult flushed = await writer.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                    break;
            }
        }
        catch (Exception e) when (IsDisconnect(e))
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
                Send(QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message exceeds the limit of {_server.MaxMessageBytes} bytes", null));
                return;
            case QmpFrameKind.TooDeep:
                Send(QmpReplyWriter.Error(QmpErrorClass.GenericError, $"JSON message nested deeper than {QmpMessageFramer.MaxDepth} levels", null));
                return;
            case QmpFrameKind.Unbalanced:
                Send(QmpReplyWriter.Error(QmpErrorClass.GenericError, "JSON parse error, closing bracket without an opening one", null));
                return;
        }
        QmpRequest? request = QmpRequest.Parse(frame.Bytes, out string? error, out JsonElement? id, out JsonDocument? document);
        if (request == null)
        {
            Send(QmpReplyWriter.Error(QmpErrorClass.GenericError, error!, id));
            document?.Dispose();
            return;
        }
        using (request)
            Send(await ExecuteAsync(request).ConfigureAwait(false));
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
