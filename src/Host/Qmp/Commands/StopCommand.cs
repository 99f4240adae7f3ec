namespace Emu.Host.Qmp.Commands;

/// <summary>stop: pauses every vCPU; replies once they are stopped (after the STOP event).</summary>
internal sealed class StopCommand : QmpCommand
{
    public override string Name => "stop";

    public override async ValueTask ExecuteAsync(QmpCall call) =>
        await call.Context.Vm.Machine.Pause().ConfigureAwait(false);
}
