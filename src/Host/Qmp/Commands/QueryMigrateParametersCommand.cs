using Emu.Core.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>query-migrate-parameters: the parameters emu implements, in QEMU's MigrationParameters shape.</summary>
internal sealed class QueryMigrateParametersCommand : QmpCommand
{
    public override string Name => "query-migrate-parameters";

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        MigrationParameters p = call.Context.Vm.Migration.Parameters;
        call.Result.WriteStartObject();
        call.Result.WriteNumber("downtime-limit", p.DowntimeLimitMs);
        call.Result.WriteNumber("max-bandwidth", p.MaxBandwidth);
        call.Result.WriteEndObject();
        return ValueTask.CompletedTask;
    }
}
