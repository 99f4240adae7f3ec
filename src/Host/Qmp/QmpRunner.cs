using System.Runtime.InteropServices;
using Emu.Host.Composition;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// The QMP server for the process's lifetime. It starts serving before the
/// guest starts (so with -S a client can look at the machine in prelaunch),
/// and with a wait=on socket holds the start until a client has connected
/// (a signal ends the wait; the machine then shuts down at once).
/// </summary>
internal sealed class QmpRunner : IDisposable
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(2);

    private readonly QmpServer? _server;
    private Task? _stopped;

    private QmpRunner(QmpServer? server) => _server = server;

    public static QmpRunner Start(QmpListenerSet listeners, LaunchedVm vm, ILoggerFactory loggers)
    {
        if (listeners.Listeners.Count == 0)
            return new QmpRunner(null);
        var context = new QmpContext(vm, QmpVersion.Of(typeof(QmpRunner).Assembly.GetName().Version), QmpCommandTable.CreateDefault());
        var server = new QmpServer(listeners.Listeners, context, loggers.CreateLogger("qmp"));
        server.Start();
        if (listeners.Listeners.Any(l => l.Endpoint.Wait))
            WaitForClient(server);
        return new QmpRunner(server);
    }

    private static void WaitForClient(QmpServer server)
    {
        using var interrupted = new CancellationTokenSource();
        PosixSignalRegistration[] signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(s => PosixSignalRegistration.Create(s, _ => interrupted.Cancel()))
            .ToArray();
        try
        {
            server.FirstClientOnWaitingSocket.Wait(interrupted.Token);
        }
        catch (OperationCanceledException)
        {
            // A shutdown is already requested; the machine ends as soon as it starts.
        }
        finally
        {
            foreach (PosixSignalRegistration signal in signals)
                signal.Dispose();
        }
    }

    /// <summary>Stops accepting and closes the clients once their last messages (SHUTDOWN, a quit's reply) are out.</summary>
    public Task StopAsync() => _stopped ??= _server?.StopAsync(s_drainTimeout) ?? Task.CompletedTask;

    public void Dispose() => StopAsync().Wait(s_drainTimeout + s_drainTimeout);
}
