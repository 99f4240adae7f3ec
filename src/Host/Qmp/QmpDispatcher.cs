using System.Buffers;
using System.Text.Json;
using Emu.Core.Catalog;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// Runs one client's requests: capabilities negotiation first, then command
/// lookup, argument checks and execution, turning every failure into an
/// error reply of the right class. Commands that change the configuration
/// take the server's exclusive lock. One dispatcher per client; its buffers
/// are reused from one command to the next.
/// </summary>
internal sealed class QmpDispatcher
{
    private readonly QmpServer _server;
    private readonly ILogger _logger;
    private readonly ArrayBufferWriter<byte> _result = new(256);
    private readonly Utf8JsonWriter _resultWriter;
    private volatile bool _negotiated;

    public QmpDispatcher(QmpServer server, ILogger logger)
    {
        _server = server;
        _logger = logger;
        _resultWriter = new Utf8JsonWriter(_result, QmpReplyWriter.Options);
    }

    /// <summary>True after qmp_capabilities: commands run and events are delivered.</summary>
    public bool Negotiated => _negotiated;

    /// <summary>The reply to <paramref name="request"/>.</summary>
    public async Task<byte[]> ExecuteAsync(QmpRequest request)
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
}
