using Emu.Core.Machines;

namespace Emu.Host.Qmp.Commands;

/// <summary>quit: ends emu (exit status 0). The reply and the SHUTDOWN event are delivered before the sockets close.</summary>
internal sealed class QuitCommand : QmpCommand
{
    public override string Name => "quit";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        _ = call.Context.Vm.Machine.RequestShutdown(new MachineExit(ShutdownCause.HostQmpQuit, 0));
        return ValueTask.CompletedTask;
    }
}
