using Emu.Core.Migration;

namespace Emu.Host.Qmp.Commands;

/// <summary>
/// migrate-set-parameters: downtime-limit (milliseconds, 0-2000000) and
/// max-bandwidth (bytes per second); they apply to the next round of a
/// migration in flight too.
/// </summary>
internal sealed class MigrateSetParametersCommand : QmpCommand
{
    /// <summary>QEMU's bound: SIZE_MAX / 8 in bytes per second.</summary>
    public const long MaxBandwidthLimit = 2305843009213693951;

    private static readonly QmpParameter[] s_parameters =
    {
        QmpParameter.Optional("downtime-limit", QmpArgumentType.Integer), QmpParameter.Optional("max-bandwidth", QmpArgumentType.Integer),
    };

    public override string Name => "migrate-set-parameters";

    public override IReadOnlyList<QmpParameter> Parameters => s_parameters;

    public override ValueTask ExecuteAsync(QmpCall call)
    {
        var migration = call.Context.Vm.Migration;
        MigrationParameters p = migration.Parameters;
        if (call.Arguments.GetOptionalInteger("downtime-limit") is long downtime)
        {
            if (downtime is < 0 or > MigrationParameters.MaxDowntimeLimitMs)
                throw new QmpException($"Parameter 'downtime_limit' expects an integer in the range of 0 to {MigrationParameters.MaxDowntimeLimitMs} milliseconds");
            p = p with { DowntimeLimitMs = downtime };
        }
        if (call.Arguments.GetOptionalInteger("max-bandwidth") is long bandwidth)
        {
            if (bandwidth is < 0 or > MaxBandwidthLimit)
                throw new QmpException($"Parameter 'max_bandwidth' expects an integer in the range of 0 to {MaxBandwidthLimit} bytes/second");
            p = p with { MaxBandwidth = bandwidth };
        }
        migration.Parameters = p;
        return ValueTask.CompletedTask;
    }
}
