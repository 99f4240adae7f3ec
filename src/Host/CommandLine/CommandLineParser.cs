using Emu.Core.Objects;

namespace Emu.Host.CommandLine;

/// <summary>
/// Parses QEMU-style arguments ("-m 1G", "--smp 2", "-device drv,k=v") into
/// <see cref="EmuOptions"/>. Unknown options are errors, never ignored.
/// </summary>
public static class CommandLineParser
{
    private delegate void Handler(EmuOptions options, string? value);

    private sealed record Option(string Name, bool TakesValue, Handler Apply, string? Alias = null);

    private static readonly Option[] s_options =
    {
        new("machine", true, (o, v) => o.Machine = Merge(o.Machine, KeyValueList.Parse(v!, "type")), "M"),
        new("accel", true, (o, v) => o.Accel = KeyValueList.Parse(v!, "accel")),
        new("enable-kvm", false, (o, _) => o.Accel = KeyValueList.Parse("kvm", "accel")),
        new("cpu", true, (o, v) => o.Cpu = v),
        new("smp", true, (o, v) => o.Smp = KeyValueList.Parse(v!, "cpus")),
        new("m", true, (o, v) => o.MemorySize = ParseMemory(v!)),
        new("bios", true, (o, v) => o.Bios = FileName("-bios", v!)),
        new("kernel", true, (o, v) => o.Kernel = FileName("-kernel", v!)),
        new("initrd", true, (o, v) => o.Initrd = FileName("-initrd", v!)),
        new("append", true, (o, v) => o.Append = v),
        new("serial", true, (o, v) => o.Serials.Add(v!)),
        new("chardev", true, (o, v) => o.Chardevs.Add(KeyValueList.Parse(v!, "backend"))),
        new("device", true, (o, v) => o.Devices.Add(KeyValueList.Parse(v!, "driver"))),
        new("drive", true, (o, v) => o.Drives.Add(KeyValueList.Parse(v!, null))),
        new("netdev", true, (o, v) => o.Netdevs.Add(KeyValueList.Parse(v!, "type"))),
        new("object", true, (o, v) => o.Objects.Add(KeyValueList.Parse(v!, "qom-type"))),
        new("fw_cfg", true, (o, v) => o.FwCfg.Add(KeyValueList.Parse(v!, "name"))),
        new("global", true, (o, v) => o.Globals.Add(ParseGlobal(v!))),
        new("qmp", true, (o, v) => o.Qmp.Add(v!)),
        new("S", false, (o, _) => o.StartPaused = true),
        new("incoming", true, (o, v) => o.Incoming = ParseIncoming(v!)),
        new("nographic", false, (o, _) => o.NoGraphic = true),
        new("display", true, (_, v) => RequireHeadless("-display", v!)),
        new("vga", true, (_, v) => RequireHeadless("-vga", v!)),
        new("no-reboot", false, (o, _) => o.NoReboot = true),
        new("no-shutdown", false, (o, _) => o.NoShutdown = true),
        new("name", true, (o, v) => o.Name = KeyValueList.Parse(v!, "guest").Get("guest")),
        new("pidfile", true, (o, v) => o.PidFile = FileName("-pidfile", v!)),
        new("version", false, (o, _) => o.ShowVersion = true),
        new("help", false, (o, _) => o.ShowHelp = true, "h"),
    };

    public static IEnumerable<string> OptionNames => s_options.Select(o => o.Name);

    public static EmuOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EmuOptions();
        for (int i = 0; i < args.Count; i++)
        {
            // execve(2) cannot pass a NUL; a caller in the same process can, and
            // every file name and socket path would end there for the kernel.
            if (args[i].Contains('\0'))
                throw new CommandLineException($"argument {i + 1} contains a NUL byte");
        }
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-') || arg.Length < 2)
                throw new CommandLineException($"invalid argument '{arg}' (options start with '-'; a disk image is given with -drive file=...)");
            string name = arg.StartsWith("--") ? arg[2..] : arg[1..];
            Option option = s_options.FirstOrDefault(o => o.Name == name || o.Alias == name)
                ?? throw new CommandLineException($"unknown option '{arg}' (see -help)");
            string? value = null;
            if (option.TakesValue)
            {
                if (i + 1 >= args.Count)
                    throw new CommandLineException($"option '{arg}' requires an argument");
                value = args[++i];
            }
            try
            {
                option.Apply(options, value);
            }
            catch (CommandLineException e) when (!e.Message.StartsWith('-'))
            {
                throw new CommandLineException($"-{option.Name}: {e.Message}");
            }
        }
        return options;
    }

    private static KeyValueList Merge(KeyValueList? previous, KeyValueList next)
    {
        if (previous == null)
            return next;
        // A later -machine overrides keys of an earlier one, as in QEMU.
        var merged = new List<string>();
        foreach (var pair in previous.Pairs.Where(p => !next.Contains(p.Key)))
            merged.Add($"{pair.Key}={pair.Value.Replace(",", ",,")}");
        foreach (var pair in next.Pairs)
            merged.Add($"{pair.Key}={pair.Value.Replace(",", ",,")}");
        return KeyValueList.Parse(string.Join(',', merged), "type");
    }

    /// <summary>-m: "512" (MiB), "1G", "size=1G", with K/M/G/T suffixes.</summary>
    public static ulong ParseMemory(string text)
    {
        KeyValueList kv = KeyValueList.Parse(text, "size");
        string size = kv.Take("size") ?? throw new CommandLineException($"'{text}': missing size");
        kv.Take("slots");
        kv.Take("maxmem");
        kv.EnsureConsumed("-m");
        if (!SizeProperty.TryParseSize(size, 1UL << 20, out ulong bytes) || bytes == 0)
            throw new CommandLineException($"invalid RAM size '{size}' (e.g. 512, 512M, 2G)");
        return bytes;
    }

    /// <summary>-global TYPE.PROP=VALUE, or -global driver=TYPE,property=PROP,value=VALUE.</summary>
    public static GlobalProperty ParseGlobal(string text)
    {
        if (text.StartsWith("driver=", StringComparison.Ordinal))
        {
            KeyValueList kv = KeyValueList.Parse(text, null);
            string driver = kv.Take("driver")!;
            string property = kv.Take("property") ?? throw new CommandLineException($"'{text}': missing property=");
            string value = kv.Take("value") ?? throw new CommandLineException($"'{text}': missing value=");
            kv.EnsureConsumed("-global");
            return new GlobalProperty(driver, property, value, "-global");
        }
        int eq = text.IndexOf('=');
        int dot = eq < 0 ? -1 : text.LastIndexOf('.', eq);
        if (eq < 0 || dot <= 0 || dot + 1 == eq)
            throw new CommandLineException($"invalid -global '{text}' (expected TYPE.PROPERTY=VALUE)");
        return new GlobalProperty(text[..dot], text[(dot + 1)..eq], text[(eq + 1)..], "-global");
    }

    /// <summary>-incoming: "defer", or unix:PATH, tcp:HOST:PORT, file:PATH.</summary>
    private static string ParseIncoming(string value)
    {
        if (value == "defer")
            return value;
        try
        {
            Migration.MigrationUri.Parse(value);
        }
        catch (FormatException e)
        {
            throw new CommandLineException(e.Message);
        }
        return value;
    }

    private static string FileName(string option, string path)
    {
        CommandLineChecks.FileName(option, path);
        return path;
    }

    private static void RequireHeadless(string option, string value)
    {
        string v = value.Split(',')[0];
        if (v != "none")
            throw new CommandLineException($"{option} {value}: emu is headless; only 'none' is supported (the console is the serial port)");
    }
}
