namespace Emu.Host.Qmp.Commands;

/// <summary>migrate_cancel: stops an outgoing migration (succeeds when none runs); the source goes on as before.</summary>
internal sealed class MigrateCancelCommand : QmpCommand
{
    public override string Name => "migrate_cancel";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        call.Context.Vm.Migration.Cancel();
        return ValueTask.CompletedTask;
    }
}
