using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.Block;
using Emu.Devices.Virtio.Blk;
using Emu.Host.CommandLine;

namespace Emu.Host.Composition;

/// <summary>
/// -drive file=IMG,format=raw,if=none|virtio,id=ID[,readonly=on][,cache=none|writeback|...]:
/// opens the image as a backend registered under its id; if=virtio also adds
/// a virtio-blk-pci device on it, as QEMU does.
/// </summary>
internal static class DriveFactory
{
    /// <summary>Opens every drive; returns the devices that if=virtio asks for, to be added once the machine is built.</summary>
    public static IReadOnlyList<Device> CreateAll(EmuOptions options, Machine machine, ObjectFactory objects)
    {
        int anonymous = 0;
        var autoDevices = new List<string>();
        foreach (KeyValueList kv in options.Drives)
        {
            string what = $"-drive {kv}";
            string file = kv.Take("file") ?? throw new CommandLineException($"{what}: missing file=");
            string format = kv.Take("format") ?? "raw";
            string @interface = kv.Take("if") ?? throw new CommandLineException($"{what}: give if=virtio, or if=none with -device virtio-blk-pci,drive=ID");
            string id = kv.Take("id") ?? (@interface == "virtio" ? $"virtio{anonymous++}" : throw new CommandLineException($"{what}: if=none needs id="));
            CommandLineChecks.Id(what, id);
            CommandLineChecks.FileName(what, file);
            bool readOnly = ParseSwitch(kv.Take("readonly"), what, "readonly");
            string cache = kv.Take("cache") ?? "writeback";
            string? media = kv.Take("media");
            kv.Take("aio");
            kv.Take("discard");
            kv.EnsureConsumed("-drive");
            if (format != "raw")
                throw new CommandLineException($"{what}: format '{format}' is not supported (only raw)");
            if (@interface is not ("none" or "virtio"))
                throw new CommandLineException($"{what}: if={@interface} is not supported (use if=virtio, or if=none with -device virtio-blk-pci)");
            if (media != null && media != "disk")
                throw new CommandLineException($"{what}: media={media} is not supported (only disk)");
            // cache=none and directsync bypass the host page cache (O_DIRECT); flushes always reach the disk.
            bool direct = cache switch
            {
                "none" or "directsync" => true,
                "writeback" or "writethrough" or "unsafe" => false,
                _ => throw new CommandLineException($"{what}: invalid cache mode '{cache}' (none, writeback, writethrough, directsync, unsafe)"),
            };
            RawFileBackend backend;
            try
            {
                backend = RawFileBackend.Open(file, readOnly, direct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CommandLineException($"{what}: {e.Message}");
            }
            var drive = new BlockDrive(id, backend, file);
            machine.Own(drive);
            try
            {
                machine.RegisterBackend(id, drive);
            }
            catch (MachineConfigurationException)
            {
                throw new CommandLineException($"{what}: duplicate id '{id}'");
            }
            if (@interface == "virtio")
                autoDevices.Add(id);
        }
        return autoDevices
            .Select(id => (Device)objects.Create(VirtioBlkPci.TypeInfo.Name, "device", null, new[] { new KeyValuePair<string, string>("drive", id) }))
            .ToList();
    }

    private static bool ParseSwitch(string? value, string what, string name) => value switch
    {
        null or "off" or "false" or "no" => false,
        "on" or "true" or "yes" => true,
        _ => throw new CommandLineException($"{what}: {name}={value}: expected on or off"),
    };
}
