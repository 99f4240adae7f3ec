using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Memory.Backends;
using Emu.Core.Objects;
using Emu.Host.CommandLine;

namespace Emu.Host.Composition;

/// <summary>
/// Which memory backend holds guest RAM, as QEMU decides it: the one
/// -machine memory-backend=ID names (its size is the RAM size; -m, if given,
/// must agree), or else a memory-backend-ram of -m's size with the id
/// "pc.ram", which no -object may take.
/// </summary>
internal static class MachineMemory
{
    /// <summary>QEMU's default_ram_id for PC machines.</summary>
    public const string DefaultId = "pc.ram";

    /// <summary>After the -object backends exist: the user's backend, if the machine names one.</summary>
    public static void UseNamedBackend(Machine machine, EmuOptions options)
    {
        string? id = machine.Get(Machine.MemoryBackendProperty);
        if (id == null)
        {
            if (machine.Backends.ContainsKey(DefaultId))
                throw new CommandLineException($"-object id={DefaultId}: the id is reserved for the default RAM backend (use another id, or -machine memory-backend={DefaultId})");
            return;
        }
        if (!machine.Backends.TryGetValue(id, out EmuObject? obj))
            throw new CommandLineException($"-machine memory-backend={id}: no object with id '{id}' (give it with -object memory-backend-ram|memory-backend-memfd|memory-backend-file,id={id},size=...)");
        if (obj is not MemoryBackend backend)
            throw new CommandLineException($"-machine memory-backend={id}: '{id}' is a {obj.Type.Name}, not a memory backend");
        if (options.MemorySize is { } ram && ram != backend.Size)
            throw new CommandLineException($"-m {ByteSizeText.Format(ram)} does not match the size of memory backend '{id}' ({ByteSizeText.Format(backend.Size)}): give -m the backend's size, or leave -m out");
        machine.RamSize = backend.Size;
        machine.RamBackend = backend;
    }

    /// <summary>After the machine's options checked out: the default backend, when the machine names none.</summary>
    public static void AddDefaultBackend(Machine machine, ObjectFactory objects, ContainerObject root)
    {
        if (machine.RamBackend != null)
            return;
        var backend = (MemoryBackend)objects.Create(RamMemoryBackend.TypeInfo.Name, HostCatalog.UserCreatable, DefaultId, new[]
        {
            new KeyValuePair<string, string>(MemoryBackend.SizeProperty.Name, machine.RamSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        }, userRequest: false);
        machine.Own(backend);
        backend.Complete();
        machine.RegisterBackend(DefaultId, backend);
        root.FindChild("objects")!.AddChild(DefaultId, backend);
        machine.Set(Machine.MemoryBackendProperty, DefaultId);
        machine.RamBackend = backend;
    }
}
