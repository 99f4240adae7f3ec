using Emu.Accel.Kvm;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.DebugExit;
using Emu.Devices.Pc;
using Emu.Devices.Serial;
using Emu.Host.CommandLine;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Composition;

/// <summary>
/// The composition root: from parsed options to a machine with its
/// accelerator, backends and devices, or a one-line error.
/// </summary>
internal static class VmLauncher
{
    private static readonly (ushort Port, int Irq)[] s_serialPorts = { (0x3F8, 4), (0x2F8, 3), (0x3E8, 4), (0x2E8, 3) };

    public static LaunchedVm Launch(EmuOptions options, TypeRegistry registry, ILoggerFactory loggers)
    {
        KeyValueList machineOptions = options.Machine ?? KeyValueList.Parse("q35", "type");
        string machineType = machineOptions.Take("type") ?? "q35";
        string? kvmDevice = options.Accel?.Take("device");
        string accelName = ChooseAccelerator(options, machineOptions);
        ObjectType type = registry.Find(machineType) is { } t && t.IsA("machine") && !t.IsAbstract
            ? t
            : throw new CommandLineException($"-machine {machineType}: unsupported machine type (use -machine help)");
        if (options.Cpu != null && options.Cpu.Split(',')[0] is not ("host" or "max"))
            throw new CommandLineException($"-cpu {options.Cpu}: only 'host' is supported (KVM runs the host's CPU model)");

        var globals = new GlobalPropertyList();
        var machine = (Machine)type.CreateInstance();
        globals.AddRange(machine.CompatProperties);
        globals.AddRange(options.Globals);
        globals.Validate(registry);
        globals.ApplyTo(machine);
        foreach (var pair in machineOptions.Pairs)
            machine.SetText(pair.Key, pair.Value);
        machine.CpuCount = ParseCpuCount(options.Smp);
        machine.RamSize = options.MemorySize ?? 128UL << 20;
        machine.NoReboot = options.NoReboot;

        if (machine is Q35Machine q35)
        {
            if (options.Kernel != null && options.Bios != null)
                throw new CommandLineException("-kernel cannot be combined with -bios: the kernel is booted directly, without firmware");
            if (options.Kernel == null && (options.Initrd != null || options.Append != null))
                throw new CommandLineException($"{(options.Initrd != null ? "-initrd" : "-append")} needs -kernel");
            if (options.Kernel != null)
                q35.KernelBoot = KernelFiles.Open(options, machine.RamSize);
            else
                q35.Firmware = options.Bios != null ? FirmwareFile.Read(options.Bios) : BuiltinFirmware.Load();
        }
        else if (options.Kernel != null)
        {
            throw new CommandLineException($"-kernel: machine type {machineType} cannot boot a kernel directly");
        }

        IAccelerator accelerator = accelName == "kvm" ? KvmAccelerator.Open(kvmDevice ?? KvmAccelerator.DefaultDevice) : throw new CommandLineException($"-accel {accelName}: unsupported accelerator (only kvm)");
        var objects = new ObjectFactory(registry, globals);
        var root = ContainerObject.Create();
        try
        {
            InitializeMachine(machine, accelerator, loggers, options);
            root.AddChild("machine", machine);
            root.AddChild("objects", ContainerObject.Create());
            root.AddChild("chardevs", ContainerObject.Create());
            var chardevs = new ChardevFactory(objects, machine);
            foreach (KeyValueList chardev in options.Chardevs)
                chardevs.Create(chardev);
            AddSerialPorts(options, machine, chardevs, objects);
            if (options.UsesBuiltinFirmware && !options.Devices.Any(d => d.Get("driver") == IsaDebugExit.TypeInfo.Name))
                AddBuiltinDebugExit(machine, objects);
            foreach (KeyValueList device in options.Devices)
                AddDevice(machine, objects, device);
            AddFwCfgItems(options, machine);
            foreach (EmuObject backend in machine.Backends.Values.Where(b => b is Devices.Chardev.Chardev))
                root.FindChild("chardevs")!.AddChild(backend.Id!, backend);
        }
        catch
        {
            machine.Dispose();
            accelerator.Dispose();
            throw;
        }
        return new LaunchedVm(machine, accelerator, objects, root, options.StartPaused);
    }

    // A kernel, initrd or command line the boot cannot use is reported as the option that named it.
    private static void InitializeMachine(Machine machine, IAccelerator accelerator, ILoggerFactory loggers, EmuOptions options)
    {
        try
        {
            machine.Initialize(accelerator, loggers);
        }
        catch (Core.Boot.BootImageException e)
        {
            throw new CommandLineException($"{KernelFiles.Describe(options, e.Input)}: {e.Message}");
        }
    }

    private static string ChooseAccelerator(EmuOptions options, KeyValueList machineOptions)
    {
        string? fromMachine = machineOptions.Take("accel");
        string? fromAccel = options.Accel?.Take("accel");
        options.Accel?.EnsureConsumed("-accel");
        string requested = fromAccel ?? fromMachine ?? "kvm";
        // QEMU allows a fallback list, "kvm:tcg": take the first one we have.
        foreach (string candidate in requested.Split(':'))
        {
            if (candidate == "kvm")
                return "kvm";
        }
        throw new CommandLineException($"-accel {requested}: unsupported accelerator (emu runs on kvm only)");
    }

    private static int ParseCpuCount(KeyValueList? smp)
    {
        if (smp == null)
            return 1;
        int Read(string key, int fallback)
        {
            string? text = smp.Take(key);
            if (text == null)
                return fallback;
            if (!int.TryParse(text, out int value) || value < 0)
                throw new CommandLineException($"-smp: invalid {key} '{text}'");
            return value;
        }
        int cpus = Read("cpus", -1);
        if (cpus == 0)
            throw new CommandLineException("-smp: at least one CPU is needed");
        int sockets = Read("sockets", 0), dies = Read("dies", 1), cores = Read("cores", 0), threads = Read("threads", 0);
        int maxCpus = Read("maxcpus", 0);
        smp.EnsureConsumed("-smp");
        if (cpus < 0)
            cpus = Math.Max(1, Math.Max(sockets, 1) * dies * Math.Max(cores, 1) * Math.Max(threads, 1));
        if (cpus < 1)
            throw new CommandLineException("-smp: at least one CPU is needed");
        if (maxCpus != 0 && maxCpus != cpus)
            throw new CommandLineException($"-smp: maxcpus={maxCpus}: CPU hotplug is not supported (maxcpus must equal cpus)");
        if (sockets != 0 && cores != 0 && threads != 0 && sockets * dies * cores * threads != cpus)
            throw new CommandLineException($"-smp: {sockets} sockets x {dies} dies x {cores} cores x {threads} threads does not make {cpus} CPUs");
        return cpus;
    }

    private static void AddSerialPorts(EmuOptions options, Machine machine, ChardevFactory chardevs, ObjectFactory objects)
    {
        IReadOnlyList<string> specs = options.Serials.Count > 0 ? options.Serials : new[] { "stdio" };
        if (specs.Count > s_serialPorts.Length)
            throw new CommandLineException($"-serial: at most {s_serialPorts.Length} serial ports");
        for (int i = 0; i < specs.Count; i++)
        {
            Devices.Chardev.Chardev? backend = chardevs.CreateForSerial(specs[i], i);
            if (backend == null)
                continue;
            var serial = (IsaSerial)objects.Create(IsaSerial.TypeInfo.Name, "device", null, new[]
            {
                new KeyValuePair<string, string>("iobase", s_serialPorts[i].Port.ToString()),
                new KeyValuePair<string, string>("irq", s_serialPorts[i].Irq.ToString()),
                new KeyValuePair<string, string>("chardev", backend.Id!),
            }, userRequest: false);
            machine.AddDevice(serial, $"serial{i}");
        }
    }

    // The built-in firmware reports failures through isa-debug-exit at 0xF4,
    // as QEMU's "-device isa-debug-exit,iobase=0xf4,iosize=4" does.
    private static void AddBuiltinDebugExit(Machine machine, ObjectFactory objects)
    {
        var device = objects.Create(IsaDebugExit.TypeInfo.Name, "device", null, new[]
        {
            new KeyValuePair<string, string>("iobase", "0xf4"),
            new KeyValuePair<string, string>("iosize", "4"),
        }, userRequest: false);
        machine.AddDevice((Device)device, "debug-exit");
    }

    private static void AddDevice(Machine machine, ObjectFactory objects, KeyValueList kv)
    {
        string driver = kv.Take("driver") ?? throw new CommandLineException($"-device '{kv}': missing driver");
        string? id = kv.Take("id");
        var obj = objects.Create(driver, "device", id, kv.Pairs);
        machine.AddDevice((Device)obj);
    }

    private static void AddFwCfgItems(EmuOptions options, Machine machine)
    {
        if (options.FwCfg.Count == 0)
            return;
        var fwcfg = (machine as Q35Machine)?.FwCfg ?? throw new CommandLineException("-fw_cfg: this machine has no fw_cfg device");
        foreach (KeyValueList kv in options.FwCfg)
        {
            string name = kv.Take("name") ?? throw new CommandLineException($"-fw_cfg '{kv}': missing name=");
            string? text = kv.Take("string");
            string? file = kv.Take("file");
            kv.EnsureConsumed("-fw_cfg");
            if ((text == null) == (file == null))
                throw new CommandLineException($"-fw_cfg {name}: give exactly one of string= or file=");
            byte[] data;
            if (text != null)
            {
                data = System.Text.Encoding.UTF8.GetBytes(text);
            }
            else
            {
                try
                {
                    data = File.ReadAllBytes(file!);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CommandLineException($"-fw_cfg {name}: cannot read '{file}': {e.Message}");
                }
            }
            fwcfg.AddFile(name, data);
        }
    }
}
