using Microsoft.Extensions.Hosting;

namespace Emu.Host.Hosting;

/// <summary>
/// The host's lifetime without signal handling of its own. The console
/// lifetime would also catch SIGINT and SIGTERM and race
/// <see cref="ShutdownSignals"/>, which owns them from before the guest
/// starts; the host ends when the machine does (see <see cref="MachineService"/>).
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
