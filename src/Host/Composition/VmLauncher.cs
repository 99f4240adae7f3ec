using Emu.Accel.Kvm;
using Emu.Accel.Tcg;
using Emu.Core.Catalog;
using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Devices.DebugExit;
using Emu.Devices.FwCfg;
using Emu.Devices.Pc;
using Emu.Devices.Serial;
using Emu.Host.CommandLine;
using Microsoft.Extensions.Logging;

namespace Emu.Host.Composition;

/// <summary>
/// The composition root: from parsed options to a machine with its
/// accelerator, backends and devices, or a one-line error.
///
/// Everything that can be checked without running a guest is checked before
/// the accelerator opens: options, the machine's CPUs, RAM and boot inputs,
/// backends (files opened, sockets bound), devices and their properties, the
/// backends and host functions they name. A mistake is therefore reported as
/// itself on any host, and a host without the accelerator is reported only
/// for a command line that is otherwise valid.
/// </summary>
internal static class VmLauncher
{
    private static readonly (ushort Port, int Irq)[] s_serialPorts = { (0x3F8, 4), (0x2F8, 3), (0x3E8, 4), (0x2E8, 3) };

    public static LaunchedVm Launch(EmuOptions options, TypeRegistry registry, KconfigCatalog catalog, ILoggerFactory loggers, TextWriter? notices = null)
    {
        KeyValueList machineOptions = options.Machine ?? KeyValueList.Parse("q35", "type");
        string machineType = machineOptions.Take("type") ?? "q35";
        (string accelName, string? fallbackNotice) = ChooseAccelerator(options, machineOptions);
        ObjectType type = registry.Find(machineType) is { } t && t.IsA("machine") && !t.IsAbstract
            ? t
            : throw new CommandLineException($"-machine {machineType}: unsupported machine type (use -machine help)");
        string? cpuModel = CheckCpuModel(options.Cpu, accelName);
        KconfigConfiguration configuration = ResolveCatalog(catalog, type);

        // The global list, in precedence order: accelerator defaults, the machine
        // version's compat properties, -global. Each object's own options come last.
        var accel = (AccelObject)(registry.Find($"{accelName}-accel") ?? throw new CommandLineException($"-accel {accelName}: unsupported accelerator")).CreateInstance();
        var machine = (Machine)type.CreateInstance();
        var globals = new GlobalPropertyList();
        globals.AddRange(accel.GlobalDefaults);
        globals.AddRange(machine.CompatProperties);
        globals.AddRange(options.Globals);
        globals.Validate(registry);
        var objects = new ObjectFactory(registry, globals);
        objects.Configure(machine, Inputs(machineOptions.Pairs));
        objects.Configure(accel, Inputs(options.Accel?.Pairs ?? Array.Empty<KeyValuePair<string, string>>()));
        machine.Globals = globals;
        machine.CpuCount = ParseCpuCount(options.Smp);
        machine.CpuModel = cpuModel;
        machine.RamSize = options.MemorySize ?? 128UL << 20;
        machine.NoReboot = options.NoReboot;

        IAccelerator? accelerator = null;
        var root = ContainerObject.Create();
        try
        {
            CheckRequestedTypes(options, objects, configuration, machine.Type.Name);
            root.AddChild("machine", machine);
            root.AddChild("objects", ContainerObject.Create());
            root.AddChild("chardevs", ContainerObject.Create());
            root.AddChild("accel", accel);
            // -object backends first: a memory backend named by -machine
            // memory-backend= gives the RAM size that the boot inputs are checked against.
            foreach (KeyValueList obj in options.Objects)
                AddObject(machine, objects, root, obj);
            MachineMemory.UseNamedBackend(machine, options);
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
            CheckMachine(machine, options);
            MachineMemory.AddDefaultBackend(machine, objects, root);

            // Backends and devices, made and checked but not yet realized.
            var chardevs = new ChardevFactory(objects, machine, loggers);
            foreach (KeyValueList chardev in options.Chardevs)
                chardevs.Create(chardev);
            var devices = new PendingDevices(machine);
            AddSerialPorts(options, machine, chardevs, objects, devices);
            devices.AddRange(DriveFactory.CreateAll(options, machine, objects));
            NetdevFactory.CreateAll(options, machine);
            if (options.UsesBuiltinFirmware && !options.Devices.Any(d => d.Get("driver") == IsaDebugExit.TypeInfo.Name))
                AddBuiltinDebugExit(objects, devices);
            foreach (KeyValueList device in options.Devices)
                devices.Add(CreateDevice(objects, device));
            IReadOnlyList<(string Name, byte[] Data)> fwCfgItems = ReadFwCfgItems(options, machine);

            // Only now is the accelerator needed: the board, then the devices on it.
            if (fallbackNotice != null)
                (notices ?? Console.Error).WriteLine($"emu: {fallbackNotice}");
            accelerator = accel.Open();
            machine.Initialize(accelerator, loggers);
            devices.RealizeAll();
            CheckBoardDevices(machine, configuration);
            foreach ((string name, byte[] data) in fwCfgItems)
                ((Q35Machine)machine).FwCfg!.AddFile(name, data);
            foreach (EmuObject backend in machine.Backends.Values.Where(b => b is Devices.Chardev.Chardev))
                root.FindChild("chardevs")!.AddChild(backend.Id!, backend);
        }
        catch
        {
            machine.Dispose();
            accelerator?.Dispose();
            throw;
        }
        return new LaunchedVm(machine, accelerator, accel, objects, root, configuration, options.StartPaused);
    }

    private static KconfigConfiguration ResolveCatalog(KconfigCatalog catalog, ObjectType machineType)
    {
        try
        {
            return catalog.Resolve(machineType);
        }
        catch (KconfigException e)
        {
            throw new MachineConfigurationException($"machine {machineType.Name}: {e.Message}");
        }
    }

    // -device and -object types are checked before anything is opened, so a typo is reported as such.
    private static void CheckRequestedTypes(EmuOptions options, ObjectFactory objects, KconfigConfiguration configuration, string machineName)
    {
        foreach (KeyValueList device in options.Devices)
        {
            string driver = device.Get("driver") ?? throw new CommandLineException($"-device '{device}': missing driver");
            try
            {
                configuration.RequireAvailable(objects.FindCreatable(driver, "device"), machineName);
            }
            catch (Exception e) when (e is KconfigException or PropertyValueException)
            {
                throw new CommandLineException($"-device {driver}: {e.Message} (use -device help to list the devices of this machine)");
            }
        }
        foreach (KeyValueList obj in options.Objects)
        {
            string typeName = obj.Get("qom-type") ?? throw new CommandLineException($"-object '{obj}': missing the object type");
            try
            {
                objects.FindCreatable(typeName, HostCatalog.UserCreatable);
            }
            catch (PropertyValueException e)
            {
                throw new CommandLineException($"-object {obj}: {e.Message} (use -object help)");
            }
            if (obj.Get("id") == null)
                throw new CommandLineException($"-object {typeName}: missing id=");
        }
    }

    // Every device the board and the launcher made must be one the catalog enables for this machine.
    private static void CheckBoardDevices(Machine machine, KconfigConfiguration configuration)
    {
        foreach (Device device in machine.Devices)
        {
            if (!configuration.IsAvailable(device.Type))
                throw new MachineConfigurationException($"machine {machine.Type.Name}: the catalog does not enable '{device.Type.Name}', which the board needs: "
                    + (configuration.Catalog.SymbolFor(device.Type) is { } s
                        ? $"{s.Name} is {configuration.ReasonFor(s.Name)}"
                        : "the type has no stanza in the device catalog (src/Devices/Kconfig), and the board's does not select one"));
        }
    }

    private static IEnumerable<KeyValuePair<string, PropertyInput>> Inputs(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs.Select(p => new KeyValuePair<string, PropertyInput>(p.Key, PropertyInput.FromText(p.Value)));

    /// <summary>-object TYPE,id=ID,...: a user-creatable object at /objects/ID, usable by devices' link properties.</summary>
    private static void AddObject(Machine machine, ObjectFactory objects, ContainerObject root, KeyValueList kv)
    {
        string typeName = kv.Take("qom-type") ?? throw new CommandLineException($"-object '{kv}': missing the object type");
        string id = kv.Take("id") ?? throw new CommandLineException($"-object {typeName}: missing id=");
        CommandLineChecks.Id($"-object {typeName}", id);
        EmuObject obj;
        try
        {
            obj = objects.Create(typeName, HostCatalog.UserCreatable, id, kv.Pairs);
        }
        catch (PropertyValueException e)
        {
            throw new CommandLineException($"-object {kv}: {e.Message} (use -object help)");
        }
        if (obj is IDisposable disposable)
            machine.Own(disposable);
        if (obj is IUserCreatable creatable)
            creatable.Complete();
        machine.RegisterBackend(id, obj);
        root.FindChild("objects")!.AddChild(id, obj);
    }

    // A kernel, initrd or command line the boot cannot use is reported as the option that named it.
    private static void CheckMachine(Machine machine, EmuOptions options)
    {
        try
        {
            machine.CheckConfiguration();
        }
        catch (Core.Boot.BootImageException e)
        {
            throw new CommandLineException($"{KernelFiles.Describe(options, e.Input)}: {e.Message}");
        }
    }

    private static readonly string[] s_accelerators = ["kvm", "tcg"];

    /// <summary>
    /// Whether the guest will probably run on the software CPU (asked for, or
    /// no accelerator asked for and KVM unusable), read without consuming the
    /// options: start-up then builds the software CPU's tables in parallel.
    /// </summary>
    public static bool MayUseSoftwareCpu(EmuOptions options)
    {
        string? requested = options.Accel?.Get("accel") ?? options.Machine?.Get("accel");
        if (requested != null)
            return requested.Split(':').Contains("tcg");
        return KvmAccelerator.Probe(KvmAccelerator.DefaultDevice) != null;
    }

    /// <summary>
    /// The accelerator: the one asked for, or the first usable one of a
    /// fallback list (QEMU's "kvm:tcg"). Without -accel it is KVM where
    /// /dev/kvm works and the software CPU elsewhere, said in one line on
    /// stderr once the command line has checked out (the notice returned).
    /// An explicit "-accel kvm" is opened only then too, so a host without
    /// KVM reports that last.
    /// </summary>
    private static (string Name, string? Notice) ChooseAccelerator(EmuOptions options, KeyValueList machineOptions)
    {
        string? fromMachine = machineOptions.Take("accel");
        string? fromAccel = options.Accel?.Take("accel");
        string? requested = fromAccel ?? fromMachine;
        string[] candidates = requested?.Split(':') ?? s_accelerators;
        foreach (string candidate in candidates)
        {
            if (!s_accelerators.Contains(candidate))
                throw new CommandLineException($"-accel {requested}: unsupported accelerator '{candidate}' (kvm, tcg; -accel help)");
        }
        string? notice = null;
        for (int i = 0; i < candidates.Length - 1; i++)
        {
            if (candidates[i] != "kvm")
                return (candidates[i], null);
            string device = options.Accel?.Get(KvmAccelObject.DeviceProperty.Name) ?? KvmAccelerator.DefaultDevice;
            if (KvmAccelerator.Probe(device) is not { } problem)
                return ("kvm", null);
            if (requested == null)
                notice = $"{problem}; running on the software CPU (-accel tcg)";
        }
        return (candidates[^1], notice);
    }

    // -cpu: "host" is the host's CPU as KVM offers it; the software CPU has its named models ("max" too on KVM).
    private static string? CheckCpuModel(string? option, string accelerator)
    {
        if (option == null)
            return null;
        string model = option.Split(',')[0];
        if (option.Contains(','))
            throw new CommandLineException($"-cpu {option}: CPU feature options are not supported (give the model alone)");
        if (accelerator == "kvm" && model is "host" or "max")
            return model;
        if (accelerator == "tcg" && TcgAccelerator.CpuModels.Contains(model))
            return model;
        string supported = accelerator == "kvm" ? "host, max" : string.Join(", ", TcgAccelerator.CpuModels);
        throw new CommandLineException($"-cpu {option}: unsupported CPU model for -accel {accelerator} ({supported})");
    }

    // No accelerator offers more (KVM's KVM_MAX_VCPUS is 4096 on x86-64); each accelerator checks its own limit later.
    private const int MaxCpus = 4096;

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
        // The topology's product in 128 bits (four factors of up to 2^31): in 32
        // bits 65536 sockets x 65536 cores is 2^32, which wraps to 0 and started one CPU.
        // A factor of 0 means "not given" (1), as in QEMU.
        Int128 topology = (Int128)Math.Max(sockets, 1) * Math.Max(dies, 1) * Math.Max(cores, 1) * Math.Max(threads, 1);
        if (cpus < 0)
        {
            if (topology > MaxCpus)
                throw new CommandLineException($"-smp: {Math.Max(sockets, 1)} sockets x {Math.Max(dies, 1)} dies x {Math.Max(cores, 1)} cores x {Math.Max(threads, 1)} threads = {topology} CPUs exceeds the maximum ({MaxCpus})");
            cpus = (int)topology;
        }
        if (cpus < 1)
            throw new CommandLineException("-smp: at least one CPU is needed");
        if (maxCpus != 0 && maxCpus != cpus)
            throw new CommandLineException($"-smp: maxcpus={maxCpus}: CPU hotplug is not supported (maxcpus must equal cpus)");
        if (sockets != 0 && cores != 0 && threads != 0 && topology != cpus)
            throw new CommandLineException($"-smp: {sockets} sockets x {Math.Max(dies, 1)} dies x {cores} cores x {threads} threads does not make {cpus} CPUs");
        return cpus;
    }

    private static void AddSerialPorts(EmuOptions options, Machine machine, ChardevFactory chardevs, ObjectFactory objects, PendingDevices devices)
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
            devices.Add(serial, $"serial{i}");
        }
    }

    // The built-in firmware reports failures through isa-debug-exit at 0xF4,
    // as QEMU's "-device isa-debug-exit,iobase=0xf4,iosize=4" does.
    private static void AddBuiltinDebugExit(ObjectFactory objects, PendingDevices devices)
    {
        var device = objects.Create(IsaDebugExit.TypeInfo.Name, "device", null, new[]
        {
            new KeyValuePair<string, string>("iobase", "0xf4"),
            new KeyValuePair<string, string>("iosize", "4"),
        }, userRequest: false);
        devices.Add((Device)device, "debug-exit");
    }

    // The type was checked by CheckRequestedTypes.
    private static Device CreateDevice(ObjectFactory objects, KeyValueList kv)
    {
        string driver = kv.Take("driver") ?? throw new CommandLineException($"-device '{kv}': missing driver");
        string? id = kv.Take("id");
        if (id != null)
            CommandLineChecks.Id($"-device {driver}", id);
        return (Device)objects.Create(driver, "device", id, kv.Pairs);
    }

    // -fw_cfg items, read before the accelerator opens and added once the machine is built.
    private static IReadOnlyList<(string Name, byte[] Data)> ReadFwCfgItems(EmuOptions options, Machine machine)
    {
        var items = new List<(string Name, byte[] Data)>();
        if (options.FwCfg.Count == 0)
            return items;
        if (machine is not Q35Machine)
            throw new CommandLineException("-fw_cfg: this machine has no fw_cfg device");
        foreach (KeyValueList kv in options.FwCfg)
        {
            string name = kv.Take("name") ?? throw new CommandLineException($"-fw_cfg '{kv}': missing name=");
            string? text = kv.Take("string");
            string? file = kv.Take("file");
            if (file != null)
                CommandLineChecks.FileName($"-fw_cfg {name}: file=", file);
            kv.EnsureConsumed("-fw_cfg");
            if ((text == null) == (file == null))
                throw new CommandLineException($"-fw_cfg {name}: give exactly one of string= or file=");
            FwCfgDevice.CheckFileName(name);
            if (items.Any(item => item.Name == name))
                throw new CommandLineException($"-fw_cfg {name}: the name is given twice");
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
            items.Add((name, data));
        }
        return items;
    }
}
