using Emu.Core.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// migrate-incoming: after -incoming defer, where the VM's state comes from
/// (a socket to listen on, or a snapshot file). With exit-on-error false a
/// failed load leaves emu up with the failure in query-migrate.
/// </summary>
internal sealed class MigrateIncomingCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        QmpParameter.Optional("uri", QmpArgumentType.String), QmpParameter.Optional("channels", QmpArgumentType.Array),
        QmpParameter.Optional("exit-on-error", QmpArgumentType.Boolean),
    };

    public override string Name => "migrate-incoming";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override bool Exclusive => true;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        string uri = MigrationChannels.UriOf(call.Arguments);
        try
        {
            call.Context.Vm.Migration.MigrateIncoming(uri, call.Arguments.GetBoolean("exit-on-error", true));
        }
        catch (MigrationException e)
        {
            throw new QmpException(e.Message);
        }
        return ValueTask.CompletedTask;
    }
}
