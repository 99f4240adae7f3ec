using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Composition;

/// <summary>A machine built from the command line, ready to start, and what it owns.</summary>
internal sealed class LaunchedVm : IDisposable
{
    public LaunchedVm(Machine machine, IAccelerator accelerator, ObjectFactory objects, ContainerObject root, bool startPaused)
    {
        Machine = machine;
        Accelerator = accelerator;
        Objects = objects;
        Root = root;
        StartPaused = startPaused;
    }

    public Machine Machine { get; }

    public IAccelerator Accelerator { get; }

    public ObjectFactory Objects { get; }

    /// <summary>The root of the object tree: /machine, /objects, /chardevs.</summary>
    public ContainerObject Root { get; }

    public bool StartPaused { get; }

    public void Dispose()
    {
        Machine.Dispose();
        Accelerator.Dispose();
    }
}
