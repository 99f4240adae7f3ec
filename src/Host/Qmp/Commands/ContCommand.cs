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
        await machine.Resume().ConfigureAwait(false);
    }
}
