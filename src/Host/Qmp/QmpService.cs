using Emu.Host.Composition;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Qmp;

/// <summary>
/// Hosts the QMP server. Registered before the machine's service, so it
/// starts first (with wait=on the machine starts only once a client is
/// connected) and stops last (clients receive SHUTDOWN before they are closed).
/// </summary>
internal sealed class QmpService : IHostedService
{
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(2);

    private readonly QmpListenerSet _listeners;
    private readonly LaunchedVm _vm;
    private readonly ILogger _logger;
    private QmpServer? _server;

    public QmpService(QmpListenerSet listeners, LaunchedVm vm, ILoggerFactory loggers)
    {
        _listeners = listeners;
        _vm = vm;
        _logger = loggers.CreateLogger("qmp");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_listeners.Listeners.Count == 0)
            return;
        var context = new QmpContext(_vm, QmpVersion.Of(typeof(QmpService).Assembly.GetName().Version), QmpCommandTable.CreateDefault());
        _server = new QmpServer(_listeners.Listeners, context, _logger);
        _server.Start();
        if (_listeners.Listeners.Any(l => l.Endpoint.Wait))
            await _server.FirstClientOnWaitingSocket.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _server?.StopAsync(s_drainTimeout) ?? Task.CompletedTask;
}
