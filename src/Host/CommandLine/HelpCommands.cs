using Emu.Core.Objects;

namespace Emu.Host.CommandLine;

/// <summary>-machine help, -device help and -device DRIVER,help.</summary>
internal static class HelpCommands
{
    public static bool TryHandle(EmuOptions options, TypeRegistry registry, TextWriter output)
    {
        if (options.Machine?.Get("type") == "help")
        {
            output.WriteLine("Supported machines are:");
            foreach ((string alias, string target) in registry.Aliases)
                output.WriteLine($"{alias,-20} {registry.Find(target)!.Description} (alias of {target})");
            foreach (ObjectType type in registry.TypesOf("machine"))
                output.WriteLine($"{type.Name,-20} {type.Description}");
            return true;
        }
        foreach (KeyValueList device in options.Devices)
        {
            string? driver = device.Get("driver");
            if (driver == "help" || driver == "?")
            {
                output.WriteLine("Devices:");
                foreach (ObjectType type in registry.TypesOf("device").Where(t => t.UserCreatable))
                    output.WriteLine($"name \"{type.Name}\", desc \"{type.Description}\"");
                return true;
            }
            if (driver != null && device.Contains("help"))
            {
                ObjectType type = registry.Find(driver) is { } t && t.IsA("device")
                    ? t
                    : throw new CommandLineException($"-device {driver}: '{driver}' is not a valid device model name");
                output.WriteLine($"{type.Name} options:");
                foreach (PropertyInfo p in type.Properties.OrderBy(p => p.Name, StringComparer.Ordinal))
                    output.WriteLine($"  {p.Name}=<{p.TypeName}>{(p.Description.Length > 0 ? $" - {p.Description}" : "")} (default: {p.Format(p.DefaultValue)})");
                return true;
            }
        }
        return false;
    }
}
