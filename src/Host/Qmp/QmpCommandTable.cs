using Emu.Host.Qmp.Commands;

namespace Emu.Host.Qmp;

/// <summary>The commands a server offers, by name.</summary>
internal sealed class QmpCommandTable
{
    private readonly Dictionary<string, QmpCommand> _commands = new(StringComparer.Ordinal);

    public QmpCommandTable(IEnumerable<QmpCommand> commands)
    {
        foreach (QmpCommand command in commands)
            _commands.Add(command.Name, command);
    }

    /// <summary>Every command emu implements.</summary>
    public static QmpCommandTable CreateDefault() => new(new QmpCommand[]
    {
        new QmpCapabilitiesCommand(),
        new QueryVersionCommand(),
        new QueryCommandsCommand(),
        new QueryStatusCommand(),
        new StopCommand(),
        new ContCommand(),
        new SystemResetCommand(),
        new SystemPowerdownCommand(),
        new QuitCommand(),
        new QueryCpusFastCommand(),
        new QueryPciCommand(),
        new QueryChardevCommand(),
        new QueryMachinesCommand(),
        new QueryKvmCommand(),
        new QomListCommand(),
        new QomGetCommand(),
        new QomSetCommand(),
        new QomListTypesCommand(),
        new DeviceListPropertiesCommand(),
        new DeviceAddCommand(),
        new DeviceDelCommand(),
        new HumanMonitorCommand(),
        new QueryPlatformCommand(),
        new MigrateCommand(),
        new MigrateCancelCommand(),
        new MigrateIncomingCommand(),
        new QueryMigrateCommand(),
        new MigrateSetParametersCommand(),
        new QueryMigrateParametersCommand(),
        new MigrateSetCapabilitiesCommand(),
        new QueryMigrateCapabilitiesCommand(),
        new QueryMemdevCommand(),
    });

    public IEnumerable<string> Names => _commands.Keys;

    public QmpCommand? Find(string name) => _commands.GetValueOrDefault(name);
}
