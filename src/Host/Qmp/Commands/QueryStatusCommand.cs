using Emu.Core.Machines;

namespace Emu.Host.Qmp.Commands;

/// <summary>query-status: {"status": RUNSTATE, "singlestep": false, "running": BOOL}.</summary>
internal sealed class QueryStatusCommand : QmpCommand
{
    public override string Name => "query-status";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        RunState state = call.Context.Vm.Machine.State;
        call.Result.WriteStartObject();
        call.Result.WriteString("status", Spell(state));
        call.Result.WriteBoolean("singlestep", false);
        call.Result.WriteBoolean("running", state == RunState.Running);
        call.Result.WriteEndObject();
        return ValueTask.CompletedTask;
    }

    /// <summary>QAPI's RunState names.</summary>
    public static string Spell(RunState state) => state switch
    {
        RunState.Prelaunch => "prelaunch",
        RunState.Running => "running",
        RunState.Paused => "paused",
        RunState.Shutdown => "shutdown",
        RunState.InMigrate => "inmigrate",
        RunState.FinishMigrate => "finish-migrate",
        RunState.PostMigrate => "postmigrate",
        _ => "internal-error",
    };
}
