using Emu.Core.Machines;
using Emu.Host.Composition;
using Microsoft.Extensions.Hosting;

namespace Emu.Host.Hosting;

/// <summary>
/// Runs the machine inside the generic host: ends the host when the guest is
/// done, and when the host stops first (Ctrl-C, SIGTERM) shuts the machine
/// down in order, so every device and mapping is released. The machine is
/// started before the host, so the guest does not wait for it.
/// </summary>
internal sealed class MachineService : IHostedService
{
    private readonly LaunchedVm _vm;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ExitStatus _status;
    private Task? _watch;

    public MachineService(VmSlot slot, IHostApplicationLifetime lifetime, ExitStatus status)
    {
        _vm = slot.Vm;
        _lifetime = lifetime;
        _status = status;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = WatchAsync();
        return Task.CompletedTask;
    }

    private async Task WatchAsync()
    {
        MachineExit exit = await _vm.Machine.Controller.Completion.ConfigureAwait(false);
        _status.Exit = exit;
        if (exit.Message != null && exit.Cause != ShutdownCause.DebugExit)
            await Console.Error.WriteLineAsync($"emu: {exit.Message}").ConfigureAwait(false);
        _lifetime.StopApplication();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Machine machine = _vm.Machine;
        if (!machine.Controller.Completion.IsCompleted)
            _ = machine.RequestShutdown(new MachineExit(ShutdownCause.HostSignal, 0, "terminating: the host is stopping"));
        MachineExit exit = await machine.Controller.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        _status.Exit ??= exit;
        if (_watch != null)
            await _watch.ConfigureAwait(false);
    }
}
