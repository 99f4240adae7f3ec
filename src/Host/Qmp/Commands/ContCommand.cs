using Emu.Core.Machines;

namespace Emu.Host.Qmp.Commands;

/// <summary>cont: resumes a paused machine, or starts one launched with -S.</summary>
internal sealed class ContCommand : QmpCommand
{
    public override string Name => "cont";

    public override async ValueTask ExecuteAsync(QmpCall call)
    {
        Machine machine = call.Context.Vm.Machine;
        if (machine.State is RunState.Shutdown or RunState.InternalError)
            throw new QmpException($"The machine has stopped for good ({QueryStatusCommand.Spell(machine.State)}) and cannot continue");
        if (machine.State == RunState.InMigrate)
        {
            // As QEMU: the guest runs as soon as its state has been loaded.
            call.Context.Vm.Migration.RequestAutostart();
            return;
        }
        if (machine.State == RunState.FinishMigrate)
            throw new QmpException("The VM is being saved by a migration; cont after it ends (or cancel it)");
        await machine.Resume().ConfigureAwait(false);
    }
}
