namespace Emu.Host.Qmp.Commands;

/// <summary>system_reset: resets the machine as the reset button would (a RESET event follows).</summary>
internal sealed class SystemResetCommand : QmpCommand
{
    public override string Name => "system_reset";

    public override async ValueTask ExecuteAsync(QmpCall call) =>
        await call.Context.Vm.Machine.RequestReset(byGuest: false).ConfigureAwait(false);
}
