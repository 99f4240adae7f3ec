using Microsoft.Extensions.Hosting;

namespace Emu.Host.Qmp;

/// <summary>
/// Ties the QMP server to the generic host's shutdown. Registered before the
/// machine's service, so it stops after it: clients receive SHUTDOWN before
/// they are closed.
/// </summary>
internal sealed class QmpService : IHostedService
{
    private readonly QmpRunnerSlot _slot;

    public QmpService(QmpRunnerSlot slot) => _slot = slot;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _slot.Runner?.StopAsync() ?? Task.CompletedTask;
}
