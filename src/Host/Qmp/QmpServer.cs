using System.Net.Sockets;
using Emu.Core.Machines;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// The QMP server: accepts clients on every -qmp socket, runs a
/// <see cref="QmpSession"/> for each, and hands the machine's events to every
/// client that has negotiated capabilities. Events are formatted once and
/// queued to each session without waiting, on whatever thread raised them.
/// </summary>
internal sealed class QmpServer
{
    private readonly IReadOnlyList<QmpListener> _listeners;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly List<Task> _sessionTasks = new();
    private readonly TaskCompletionSource _firstClient = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lock = new();
    private volatile QmpSession[] _sessions = Array.Empty<QmpSession>();
    private int _sessionCount;

    public QmpServer(IReadOnlyList<QmpListener> listeners, QmpContext context, ILogger logger, int maxMessageBytes = QmpMessageFramer.DefaultMaxMessageBytes)
    {
        _listeners = listeners;
        Context = context;
        _logger = logger;
        MaxMessageBytes = maxMessageBytes;
    }

    public QmpContext Context { get; }

    public int MaxMessageBytes { get; }

    /// <summary>Clients served at once (each has a receiving thread).</summary>
    public const int MaxClients = 64;

    /// <summary>Held by commands that change the configuration, so they run one at a time across clients.</summary>
    public SemaphoreSlim ExclusiveLock { get; } = new(1, 1);

    /// <summary>Completes when a client connects to a wait=on socket.</summary>
    public Task FirstClientOnWaitingSocket => _firstClient.Task;

    public IReadOnlyList<QmpSession> Sessions => _sessions;

    public void Start()
    {
        Context.Vm.Machine.Controller.Event += OnMachineEvent;
        Context.Vm.Migration.Event += OnMigrationEvent;
        foreach (QmpListener listener in _listeners)
            _acceptLoops.Add(AcceptLoopAsync(listener));
    }

    private async Task AcceptLoopAsync(QmpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("QMP {Endpoint}: accept failed: {Message}", listener.Endpoint, e.Message);
                continue;
            }
            if (_sessions.Length >= MaxClients)
            {
                _ = RefuseAsync(socket);
                continue;
            }
            var session = new QmpSession(socket, this, Interlocked.Increment(ref _sessionCount), _logger);
            lock (_lock)
            {
                _sessions = _sessions.Append(session).ToArray();
                _sessionTasks.Add(RunSessionAsync(session));
            }
            if (listener.Endpoint.Wait)
                _firstClient.TrySetResult();
        }
    }

    // Each client has a thread; past the limit a client is told why and closed.
    private async Task RefuseAsync(Socket socket)
    {
        _logger.LogWarning("QMP: refusing a client, {Max} are connected already", MaxClients);
        using (socket)
        {
            try
            {
                byte[] message = QmpReplyWriter.Error(QmpErrorClass.GenericError, $"Too many QMP clients ({MaxClients} are connected)", null);
                await socket.SendAsync(message, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task RunSessionAsync(QmpSession session)
    {
        await Task.Yield();
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "QMP client {Number} failed", session.Number);
        }
        finally
        {
            lock (_lock)
                _sessions = _sessions.Where(s => s != session).ToArray();
        }
    }

    private void OnMachineEvent(MachineEvent e)
    {
        QmpSession[] sessions = _sessions;
        if (sessions.Length == 0)
            return;
        byte[] message = QmpEvents.Format(e);
        foreach (QmpSession session in sessions)
        {
            if (session.Negotiated)
                session.Send(message);
        }
    }

    private void OnMigrationEvent(string name, Action<System.Text.Json.Utf8JsonWriter> data)
    {
        QmpSession[] sessions = _sessions;
        if (sessions.Length == 0)
            return;
        byte[] message = QmpReplyWriter.Event(name, DateTimeOffset.UtcNow, data);
        foreach (QmpSession session in sessions)
        {
            if (session.Negotiated)
                session.Send(message);
        }
    }

    /// <summary>Stops accepting, lets every client's queued output (the SHUTDOWN event, a quit's reply) drain, and closes them.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        _stopping.Cancel();
        foreach (QmpListener listener in _listeners)
            listener.Dispose();
        Context.Vm.Machine.Controller.Event -= OnMachineEvent;
        Context.Vm.Migration.Event -= OnMigrationEvent;
        Task[] sessions;
        lock (_lock)
        {
            foreach (QmpSession session in _sessions)
                session.Close();
            sessions = _sessionTasks.ToArray();
        }
        try
        {
            await Task.WhenAll(_acceptLoops.Concat(sessions)).WaitAsync(drainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("QMP: some clients did not take their last messages in time");
        }
    }
}
