using Emu.Core.Objects;

namespace Emu.Host.CommandLine;

/// <summary>Everything the command line asked for, parsed but not yet applied.</summary>
public sealed class EmuOptions
{
    public KeyValueList? Machine { get; set; }

    public KeyValueList? Accel { get; set; }

    public KeyValueList? Smp { get; set; }

    /// <summary>Guest RAM in bytes (-m).</summary>
    public ulong? MemorySize { get; set; }

    public string? Bios { get; set; }

    public string? Kernel { get; set; }

    public string? Initrd { get; set; }

    public string? Append { get; set; }

    public string? Cpu { get; set; }

    /// <summary>-serial values in order (COM1, COM2...).</summary>
    public List<string> Serials { get; } = new();

    public List<KeyValueList> Chardevs { get; } = new();

    public List<KeyValueList> Devices { get; } = new();

    public List<KeyValueList> Drives { get; } = new();

    public List<KeyValueList> Netdevs { get; } = new();

    public List<KeyValueList> Objects { get; } = new();

    public List<KeyValueList> FwCfg { get; } = new();

    public List<string> Qmp { get; } = new();

    public List<GlobalProperty> Globals { get; } = new();

    public bool StartPaused { get; set; }

    /// <summary>-incoming: "defer", or the URI the VM's state comes from (checked when parsed).</summary>
    public string? Incoming { get; set; }

    public bool NoReboot { get; set; }

    public bool NoShutdown { get; set; }

    public bool NoGraphic { get; set; }

    public bool ShowVersion { get; set; }

    public bool ShowHelp { get; set; }

    public string? Name { get; set; }

    public string? PidFile { get; set; }

    /// <summary>True when nothing selects a guest: boot the built-in firmware.</summary>
    public bool UsesBuiltinFirmware => Bios == null && Kernel == null;
}
