using Emu.Core.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// migrate: starts sending the VM to a destination (unix:, tcp:) or to a file
/// (a snapshot, usually after stop). Returns at once; query-migrate and the
/// MIGRATION events tell how it goes.
/// </summary>
internal sealed class MigrateCommand : QmpCommand
{
    private static readonly QmpParameter[] s_parameters =
    {
        QmpParameter.Optional("uri", QmpArgumentType.String), QmpParameter.Optional("channels", QmpArgumentType.Array),
        QmpParameter.Optional("detach", QmpArgumentType.Boolean), QmpParameter.Optional("resume", QmpArgumentType.Boolean),
    };

    public override string Name => "migrate";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override bool Exclusive => true;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        if (call.Arguments.GetBoolean("resume", false))
            throw new QmpException("migrate: resume is only for postcopy, which emu does not do");
        string uri = MigrationChannels.UriOf(call.Arguments);
        try
        {
            call.Context.Vm.Migration.Migrate(uri);
        }
        catch (MigrationException e)
        {
            throw new QmpException(e.Message);
        }
        return ValueTask.CompletedTask;
    }
}
