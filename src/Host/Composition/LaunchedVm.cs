using Emu.Core.Catalog;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Composition;

/// <summary>A machine built from the command line, ready to start, and what it owns.</summary>
internal sealed class LaunchedVm : IDisposable
{
    public LaunchedVm(Machine machine, IAccelerator accelerator, AccelObject accel, ObjectFactory objects, ContainerObject root,
        KconfigConfiguration configuration, bool startPaused)
    {
        Machine = machine;
        Accelerator = accelerator;
        Accel = accel;
        Objects = objects;
        Root = root;
        Configuration = configuration;
        StartPaused = startPaused;
        Migration = new Migration.MigrationManager(machine, startPaused, machine.LoggerFactory.CreateLogger("migration"));
    }

    /// <summary>Outgoing and incoming migrations and snapshots of this VM.</summary>
    public Migration.MigrationManager Migration { get; }

    public Machine Machine { get; }

    public IAccelerator Accelerator { get; }

    /// <summary>The accelerator's object (-accel kvm,...), at /accel in the tree.</summary>
    public AccelObject Accel { get; }

    public ObjectFactory Objects { get; }

    public TypeRegistry Registry => Objects.Registry;

    /// <summary>The root of the object tree: /machine, /objects, /chardevs, /accel.</summary>
    public ContainerObject Root { get; }

    /// <summary>The machine's resolved device catalog: which device types it offers.</summary>
    public KconfigConfiguration Configuration { get; }

    public bool StartPaused { get; }

    public void Dispose()
    {
        Migration.Dispose();
        Machine.Dispose();
        Accelerator.Dispose();
    }
}
