using Emu.Core.Catalog;
using Emu.Core.Objects;
using Emu.Host.Composition;

namespace Emu.Host.CommandLine;

/// <summary>
/// -machine help, -machine TYPE,help, -device help, -device DRIVER,help,
/// -object help, -object TYPE,help and -accel help: what exists, with
/// property types, defaults and descriptions. -device help lists the devices
/// the catalog offers on the selected machine (q35 unless -machine says otherwise).
/// </summary>
internal static class HelpCommands
{
    public static bool TryHandle(EmuOptions options, TypeRegistry registry, KconfigCatalog catalog, TextWriter output)
    {
        string? machineType = options.Machine?.Get("type");
        if (machineType is "help" or "?")
        {
            ListMachines(registry, output);
            return true;
        }
        if (machineType != null && options.Machine!.Contains("help"))
        {
            ListProperties(FindType(registry, machineType, "machine", "-machine"), output);
            return true;
        }
        string? accel = options.Accel?.Get("accel");
        if (accel is "help" or "?")
        {
            output.WriteLine("Accelerators supported in emu:");
            foreach (ObjectType type in registry.TypesOf("accel"))
                output.WriteLine($"{type.Name[..^"-accel".Length],-20} {type.Description}");
            return true;
        }
        foreach (KeyValueList device in options.Devices)
        {
            string? driver = device.Get("driver");
            if (driver is "help" or "?")
            {
                ListDevices(registry, catalog, machineType ?? "q35", output);
                return true;
            }
            if (driver != null && device.Contains("help"))
            {
                ListProperties(FindType(registry, driver, "device", "-device"), output);
                return true;
            }
        }
        foreach (KeyValueList obj in options.Objects)
        {
            string? typeName = obj.Get("qom-type");
            if (typeName is "help" or "?")
            {
                output.WriteLine("List of user creatable objects:");
                foreach (ObjectType type in registry.TypesOf(HostCatalog.UserCreatable))
                    output.WriteLine($"  {type.Name,-24} {type.Description}");
                return true;
            }
            if (typeName != null && obj.Contains("help"))
            {
                ListProperties(FindType(registry, typeName, HostCatalog.UserCreatable, "-object"), output);
                return true;
            }
        }
        return false;
    }

    private static void ListMachines(TypeRegistry registry, TextWriter output)
    {
        output.WriteLine("Supported machines are:");
        foreach ((string alias, string target) in registry.Aliases)
            output.WriteLine($"{alias,-20} {registry.Find(target)!.Description} (alias of {target}){(alias == "q35" ? " (default)" : "")}");
        foreach (ObjectType type in registry.TypesOf("machine"))
            output.WriteLine($"{type.Name,-20} {type.Description}");
    }

    private static void ListDevices(TypeRegistry registry, KconfigCatalog catalog, string machineType, TextWriter output)
    {
        ObjectType machine = FindType(registry, machineType, "machine", "-machine");
        KconfigConfiguration configuration;
        try
        {
            configuration = catalog.Resolve(machine);
        }
        catch (KconfigException e)
        {
            throw new CommandLineException($"-machine {machineType}: {e.Message}");
        }
        output.WriteLine($"Devices of machine {machine.Name}:");
        foreach (ObjectType type in registry.TypesOf("device").Where(t => t.UserCreatable && configuration.IsAvailable(t)))
        {
            string bus = type.IsA("pci-device") ? "PCI" : "ISA";
            output.WriteLine($"name \"{type.Name}\", bus {bus}, desc \"{type.Description}\"");
        }
    }

    private static void ListProperties(ObjectType type, TextWriter output)
    {
        output.WriteLine($"{type.Name} options:");
        foreach (PropertyInfo p in type.Properties.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            string description = p.Description.Length > 0 ? $" - {p.Description}" : "";
            string value = p.DefaultValue == null ? "" : $" (default: {p.Format(p.DefaultValue)})";
            output.WriteLine($"  {p.Name}=<{p.TypeName}>{description}{value}");
        }
    }

    private static ObjectType FindType(TypeRegistry registry, string name, string kind, string option) =>
        registry.Find(name) is { } t && t.IsA(kind)
            ? t
            : throw new CommandLineException($"{option} {name}: '{name}' is not a valid {(kind == HostCatalog.UserCreatable ? "object" : kind)} type");
}
