using Emu.Host.Composition;

namespace Emu.Host.Qmp;

/// <summary>What commands work with: the VM and its object tree, the server's version and command table.</summary>
internal sealed class QmpContext
{
    public QmpContext(LaunchedVm vm, QmpVersion version, QmpCommandTable commands)
    {
        Vm = vm;
        Version = version;
        Commands = commands;
    }

    public LaunchedVm Vm { get; }

    public QmpVersion Version { get; }

    public QmpCommandTable Commands { get; }
}
