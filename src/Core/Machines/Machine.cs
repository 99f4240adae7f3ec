using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Memory.Backends;
using Emu.Core.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Core.Machines;

/// <summary>
/// A board: its memory map, platform devices and vCPUs, built on an
/// accelerator. A concrete machine type (q35) derives from this and fills in
/// <see cref="Build"/>; versions of it differ only by compat properties.
/// </summary>
public abstract partial class Machine : EmuObject, IDisposable
{
    public static readonly BoolProperty NoRebootProperty = new("no-reboot", false,
        "Exit instead of rebooting when the guest resets (-no-reboot); may change while the guest runs", mutable: true);

    public static readonly StringProperty MemoryBackendProperty = new("memory-backend", null,
        "The id of the memory backend (-object memory-backend-ram|memfd|file) that holds guest RAM");

    public static readonly ObjectType TypeInfo = new("machine", null, null, "Base type of machines",
        new PropertyInfo[] { NoRebootProperty, MemoryBackendProperty });

    private readonly List<Device> _devices = new();
    private readonly List<IDisposable> _resources = new();
    private readonly List<IVcpu> _vcpus = new();
    private MachineController? _controller;

    private readonly Dictionary<string, EmuObject> _backends = new(StringComparer.Ordinal);
    private readonly HashSet<Device> _unplugRequested = new();
    private readonly HashSet<Device> _unplugging = new();
    private int _anonymousDevices;

    // Serializes what changes the set of devices or resets them: hotplug,
    // removal (with its grace period) and system reset. Taken by the control
    // thread, QMP and the removal path, never by a vCPU thread (a grace period
    // waited for under it must be able to end); it comes before every other
    // lock (the memory topology's, the devices').
    private readonly object _lifecycle = new();

    protected Machine(ObjectType type) : base(type)
    {
        AddChild("peripheral", ContainerObject.Create());
        AddChild("peripheral-anon", ContainerObject.Create());
        AddChild("unattached", ContainerObject.Create());
    }

    /// <summary>Backends (chardevs, drives, netdevs, -object) by id, for devices' link properties.</summary>
    public IReadOnlyDictionary<string, EmuObject> Backends => _backends;

    public void RegisterBackend(string id, EmuObject backend)
    {
        if (!_backends.TryAdd(id, backend))
            throw new MachineConfigurationException($"duplicate backend id '{id}'");
    }

    /// <summary>Finds the backend a link property names; a clear error when it is missing or of the wrong kind.</summary>
    public T ResolveBackend<T>(string id, string kind, Device user) where T : EmuObject
    {
        if (!_backends.TryGetValue(id, out EmuObject? backend))
            throw new MachineConfigurationException($"{user.Type.Name}: {kind} '{id}' not found");
        return backend as T ?? throw new MachineConfigurationException($"{user.Type.Name}: '{id}' is a {backend.Type.Name}, not a {kind}");
    }

    /// <summary>
    /// The type-wide defaults every object of this machine gets (accelerator
    /// defaults, this version's compat properties, -global). Set before
    /// <see cref="Initialize"/>, so that board devices get them too.
    /// </summary>
    public GlobalPropertyList Globals { get; set; } = new();

    /// <summary>Compat properties of this machine version (applied to every object created for it).</summary>
    public virtual IReadOnlyList<GlobalProperty> CompatProperties => Array.Empty<GlobalProperty>();

    public IVirtualMachine Vm { get; private set; } = null!;

    public MemoryTopology Topology { get; } = new();

    /// <summary>The CPU's physical memory space.</summary>
    public AddressSpace SystemMemory { get; private set; } = null!;

    /// <summary>The x86 I/O port space (64 KiB).</summary>
    public AddressSpace IoPorts { get; private set; } = null!;

    /// <summary>Guest RAM as devices reach it for DMA.</summary>
    public GuestMemory Ram { get; private set; } = null!;

    private IInterruptController? _userspaceInterrupts;

    /// <summary>
    /// The interrupt controller devices raise lines and MSIs on: the
    /// accelerator's, or one the board built in the VMM when the accelerator has
    /// none (<see cref="UseInterruptController"/>); lines go nowhere without one.
    /// </summary>
    public IInterruptController? Interrupts => _userspaceInterrupts ?? Vm?.Interrupts;

    /// <summary>Called by a board that emulates the interrupt controllers itself (the accelerator has none).</summary>
    protected void UseInterruptController(IInterruptController controller)
    {
        if (Vm?.Interrupts != null)
            throw new InvalidOperationException("the accelerator already provides the interrupt controllers");
        _userspaceInterrupts = controller;
    }

    /// <summary>An interrupt line by GSI, or a line to nowhere when the machine has no interrupt controller.</summary>
    public IIrqLine IrqLine(int gsi) => Interrupts?.GetLine(gsi) ?? NullIrqLine.Instance;

    public ILoggerFactory LoggerFactory { get; private set; } = NullLoggerFactory.Instance;

    /// <summary>The realized devices (a snapshot: devices can be hot-plugged from another thread).</summary>
    public IReadOnlyList<Device> Devices
    {
        get
        {
            lock (_devices)
                return _devices.ToArray();
        }
    }

    public MachineController Controller => _controller ?? throw new InvalidOperationException("machine not initialized");

    public RunState State => _controller?.State ?? RunState.Prelaunch;

    /// <summary>-no-reboot: a system reset (the guest's, or QMP system_reset as in QEMU) ends the VMM instead (the "no-reboot" property, live).</summary>
    public bool NoReboot
    {
        get => Get(NoRebootProperty);
        set => Set(NoRebootProperty, value);
    }

    /// <summary>Number of vCPUs to create.</summary>
    public int CpuCount { get; set; } = 1;

    /// <summary>The -cpu model (null: the accelerator's default).</summary>
    public string? CpuModel { get; set; }

    /// <summary>Guest RAM size in bytes.</summary>
    public ulong RamSize { get; set; } = 128UL << 20;

    /// <summary>
    /// The memory backend that holds guest RAM (-machine memory-backend=, or
    /// the default "pc.ram" the launcher makes), already mapped. Without one
    /// the board maps private anonymous memory itself.
    /// </summary>
    public MemoryBackend? RamBackend { get; set; }

    /// <summary>What the board needs from the accelerator.</summary>
    protected virtual VirtualMachineOptions VmOptions => new();

    /// <summary>The most vCPUs the board can describe to the guest (the accelerator may allow fewer).</summary>
    public virtual int MaxCpus => int.MaxValue;

    private bool _checked;

    /// <summary>
    /// Checks the machine's own options (CPUs, RAM, boot inputs) before the
    /// accelerator opens: a mistake in them is reported as such on any host.
    /// <see cref="Initialize"/> runs it too if nobody did.
    /// </summary>
    public void CheckConfiguration()
    {
        if (_checked)
            return;
        if (CpuCount < 1)
            throw new MachineConfigurationException($"Invalid number of CPUs: {CpuCount}");
        if (CpuCount > MaxCpus)
            throw new MachineConfigurationException($"Number of CPUs requested ({CpuCount}) exceeds the maximum the {Type.Name} machine supports ({MaxCpus})");
        if (RamBackend != null && RamBackend.Size != RamSize)
            throw new MachineConfigurationException($"the memory size ({RamSize} bytes) does not match the size of memory backend '{RamBackend.Id}' ({RamBackend.Size} bytes)");
        OnCheckConfiguration();
        _checked = true;
    }

    /// <summary>The board's checks of its options, before anything is built.</summary>
    protected virtual void OnCheckConfiguration()
    {
    }

    /// <summary>
    /// Creates the VM, the address spaces and the board, and the vCPUs. After
    /// this the machine can be started.
    /// </summary>
    public void Initialize(IAccelerator accelerator, ILoggerFactory? loggerFactory = null)
    {
        if (_controller != null)
            throw new InvalidOperationException("machine already initialized");
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        CheckConfiguration();
        if (CpuCount > accelerator.MaxVcpus)
            throw new MachineConfigurationException($"Number of CPUs requested ({CpuCount}) exceeds the maximum the {accelerator.Name} accelerator allows ({accelerator.MaxVcpus})");
        Vm = accelerator.CreateVirtualMachine(VmOptions with { CpuModel = CpuModel });
        AcceleratorName = accelerator.Name;
        var system = MemoryRegion.CreateContainer("system", ulong.MaxValue);
        var io = MemoryRegion.CreateContainer("io", 0x10000);
        SystemMemory = Topology.CreateAddressSpace("memory", system);
        IoPorts = Topology.CreateAddressSpace("I/O", io);
        Ram = GuestMemory.Follow(SystemMemory);
        SystemMemory.ListenerFailed += OnListenerFailed;
        IoPorts.ListenerFailed += OnListenerFailed;
        SystemMemory.AddListener(Vm.MemoryListener);
        Vm.AttachAddressSpaces(SystemMemory, IoPorts);
        _controller = new MachineController(this, LoggerFactory.CreateLogger("machine"));
        using (Topology.BeginTransaction())
            Build();
        for (int i = 0; i < CpuCount; i++)
        {
            IVcpu vcpu = Vm.CreateVcpu(i);
            _vcpus.Add(vcpu);
            _controller.AddVcpu(new VcpuRunner(_controller, vcpu, IoPorts, SystemMemory));
            FindChild("unattached")!.AddChild($"device[{i}]", VcpuObject.Create(i, CpuModel ?? accelerator.DefaultCpuModel));
        }
        OnVcpusCreated(_vcpus);
    }

    // A listener refused a range of a memory map change. An addition it could
    // not make leaves the range to the VMM (accesses exit and are served from
    // the view) or out of device DMA: the guest's doing (it put a BAR where
    // nothing more can be mapped), logged, and the machine runs on. A removal
    // it could not make may leave the accelerator mapping memory that is about
    // to be freed: the machine stops rather than let the guest reach it.
    private void OnListenerFailed(IMemoryListener listener, FlatRange range, Exception error, bool added)
    {
        ILogger logger = LoggerFactory.CreateLogger("memory");
        if (added)
        {
            logger.LogError("{Listener} could not map {Range}: {Error}; the range is served by the VMM", listener.GetType().Name, range.ToString(), error.Message);
            return;
        }
        logger.LogCritical("{Listener} could not unmap {Range}: {Error}; stopping the machine", listener.GetType().Name, range.ToString(), error.Message);
        _controller?.Post(new MachineRequest(MachineRequestKind.Shutdown, exit: new MachineExit(ShutdownCause.HostError, 1, $"unmapping {range} failed: {error.Message}")));
    }

    /// <summary>After the vCPUs exist: a board with userspace interrupt controllers connects their local APICs here.</summary>
    protected virtual void OnVcpusCreated(IReadOnlyList<IVcpu> vcpus)
    {
    }

    /// <summary>Lays out RAM, firmware and platform devices.</summary>
    protected abstract void Build();

    /// <summary>
    /// Puts a vCPU in its power-on state. Called on the vCPU's own thread
    /// before it first runs and after every reset.
    /// </summary>
    public abstract void ResetVcpuState(IVcpu vcpu);

    /// <summary>Keeps a resource alive for the machine's lifetime and disposes it at the end.</summary>
    public T Own<T>(T resource) where T : IDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    /// <summary>Makes a board device with the global list applied; the board then sets its own options and adds it.</summary>
    protected T CreateDevice<T>(ObjectType type) where T : Device
    {
        var device = (T)type.CreateInstance();
        Globals.ApplyTo(device);
        return device;
    }

    /// <summary>
    /// Realizes a device into this machine and puts it in the object tree:
    /// board devices under /machine/unattached/&lt;name&gt;, user devices under
    /// /machine/peripheral/&lt;id&gt; (or peripheral-anon without an id).
    /// </summary>
    public void AddDevice(Device device, string? boardName = null)
    {
        // Everything that can refuse the device is checked before it is
        // realized: a device the guest can see but the tree cannot name
        // could never be removed again.
        if (device.Id != null)
        {
            if (boardName == null && !ObjectId.IsValid(device.Id))
                throw new MachineConfigurationException($"invalid device id '{device.Id}': an id starts with a letter and has only letters, digits, '-', '.' and '_'");
            if (FindChild("peripheral")!.FindChild(device.Id) != null)
                throw new MachineConfigurationException($"Duplicate device ID '{device.Id}'");
        }
        // A device made without the global list still gets it, before it goes live.
        if (!device.GlobalsApplied)
            Globals.ApplyTo(device);
        device.Realize(this);
        lock (_devices)
            _devices.Add(device);
        if (boardName != null)
            FindChild("unattached")!.AddChild(boardName, device);
        else if (device.Id != null)
            FindChild("peripheral")!.AddChild(device.Id, device);
        else
            FindChild("peripheral-anon")!.AddChild($"device[{_anonymousDevices++}]", device);
    }

    /// <summary>A user device by id.</summary>
    public Device? FindDevice(string id) => FindChild("peripheral")!.FindChild(id) as Device;

    /// <summary>
    /// Takes a device out of the machine: disconnected from the guest, a grace
    /// period, then released and taken out of the object tree. Not on a vCPU
    /// thread. A failure to disconnect leaves the device where it was (and
    /// throws); a failure to release still removes it (and throws).
    /// </summary>
    public void RemoveDevice(Device device)
    {
        lock (_lifecycle)
        {
            if (!device.IsRealized)
                return;
            device.Disconnect();
            WaitForVcpusToLeaveOldViews();
            try
            {
                device.Unrealize();
            }
            finally
            {
                lock (_devices)
                    _devices.Remove(device);
                device.Parent?.RemoveChild(device.Name!);
            }
        }
    }

    /// <summary>
    /// Waits until every vCPU has left the memory map it was using when this
    /// was called (a grace period): after a device's regions left the address
    /// spaces, nothing of the device may be freed before this returns.
    /// </summary>
    public void WaitForVcpusToLeaveOldViews() => _controller?.GracePeriod.Wait();

    public IEnumerable<T> DevicesOf<T>() => Devices.OfType<T>();

    /// <summary>
    /// The controller that can hot-plug <paramref name="device"/> into the
    /// running machine, or null when its bus does not support hotplug.
    /// </summary>
    public virtual IHotplugController? HotplugControllerFor(Device device) => null;

    /// <summary>
    /// Adds a user device while the machine runs (QMP device_add): realized
    /// and placed in the tree like a -device, then announced to the guest.
    /// </summary>
    public void HotplugDevice(Device device)
    {
        IHotplugController controller = HotplugControllerFor(device)
            ?? throw new MachineConfigurationException($"{device.Type.Name} cannot be hot-plugged into this machine");
        lock (_lifecycle)
        {
            string? refusal = controller.CanPlug(device);
            if (refusal != null)
                throw new MachineConfigurationException(refusal);
            AddDevice(device);
            controller.Plugged(device);
        }
    }

    /// <summary>
    /// Asks the guest to release a hot-pluggable device (QMP device_del). The
    /// device goes away, with a DEVICE_DELETED event, when the guest agrees.
    /// </summary>
    public void RequestUnplug(Device device)
    {
        IHotplugController controller = HotplugControllerFor(device)
            ?? throw new MachineConfigurationException($"{device.Type.Name} cannot be hot-unplugged from this machine");
        lock (_unplugRequested)
        {
            if (!_unplugRequested.Add(device))
                throw new MachineConfigurationException($"Device {device.Id ?? device.CanonicalPath} is already in the process of unplug");
        }
        controller.RequestUnplug(device);
    }

    /// <summary>
    /// Called by a hotplug controller once the guest has let go of a device
    /// (any thread; the guest's eject write comes on a vCPU thread, which must
    /// not wait for the removal). The removal is queued to the machine's
    /// control thread, after whatever life-cycle request came first, so it
    /// never overlaps a reset; without a control thread (not started, or
    /// finished: no vCPU runs) it runs on the thread pool. A device is
    /// removed once however often the guest ejects it.
    /// </summary>
    public void CompleteUnplug(Device device)
    {
        lock (_unplugging)
        {
            if (!_unplugging.Add(device))
                return;
        }
        if (_controller?.TryPost(new MachineRequest(MachineRequestKind.Unplug) { Device = device }) == true)
            return;
        ThreadPool.QueueUserWorkItem(static state => state.Machine.CarryOutUnplug(state.Device), (Machine: this, Device: device), preferLocal: false);
    }

    /// <summary>
    /// The removal of an unplugged device (control thread or thread pool).
    /// It never throws: a failure is logged and the machine runs on. A device
    /// that could not be disconnected stays, and may be asked for again; one
    /// whose release failed is gone, and DEVICE_DELETED says so.
    /// </summary>
    internal void CarryOutUnplug(Device device)
    {
        string? id = device.Id;
        string path = device.CanonicalPath;
        try
        {
            RemoveDevice(device);
        }
        catch (Exception e)
        {
            LoggerFactory.CreateLogger("machine").LogError(e, "removing {Device} failed", path);
        }
        finally
        {
            bool removed = !device.IsRealized;
            lock (_unplugRequested)
                _unplugRequested.Remove(device);
            lock (_unplugging)
                _unplugging.Remove(device);
            if (removed)
                _controller?.Raise(new MachineEvent(MachineEventKind.DeviceDeleted, DateTimeOffset.UtcNow) { DeviceId = id, DevicePath = path });
        }
    }

    internal void ResetDevices()
    {
        lock (_lifecycle)
        {
            OnReset();
            foreach (Device device in Devices)
                device.Reset();
        }
    }

    /// <summary>A system reset, before the devices reset: what the board owns besides its devices (e.g. userspace interrupt controllers).</summary>
    protected virtual void OnReset()
    {
    }

    /// <summary>Starts the vCPUs (paused: they wait for <see cref="Resume"/>; incoming: the machine waits in inmigrate for its state).</summary>
    public void Start(bool paused = false, bool incoming = false) => Controller.Start(paused, incoming);

    public Task Pause() => Controller.Post(new MachineRequest(MachineRequestKind.Pause));

    /// <summary>Stops the guest for a migration's last phase (finish-migrate): vCPUs parked, devices quiesced.</summary>
    public Task PauseForMigration() => Controller.Post(new MachineRequest(MachineRequestKind.Pause, target: RunState.FinishMigrate));

    /// <summary>Moves a stopped machine to another stopped state (postmigrate after a migration, paused after a load).</summary>
    public Task SetStoppedState(RunState state) => Controller.Post(new MachineRequest(MachineRequestKind.SetStoppedState, target: state));

    public Task Resume() => Controller.Post(new MachineRequest(MachineRequestKind.Resume));

    /// <summary>System reset (QMP system_reset, or the guest through the reset control register).</summary>
    public Task RequestReset(bool byGuest) => Controller.Post(new MachineRequest(MachineRequestKind.Reset, byGuest));

    /// <summary>Ends the machine; the first shutdown request decides the exit status.</summary>
    public Task RequestShutdown(MachineExit exit) => Controller.Post(new MachineRequest(MachineRequestKind.Shutdown, exit: exit));

    /// <summary>Presses the power button (ACPI). Boards without one ignore it.</summary>
    public virtual void PowerButton()
    {
    }

    /// <summary>QMP system_powerdown: announces POWERDOWN, then presses the power button for the guest to act on.</summary>
    public void RequestPowerdown()
    {
        Controller.Raise(new MachineEvent(MachineEventKind.Powerdown, DateTimeOffset.UtcNow));
        PowerButton();
    }

    public void Dispose()
    {
        lock (_lifecycle)
        {
            foreach (Device device in Devices.Reverse())
            {
                try
                {
                    device.Unrealize();
                }
                catch (Exception e)
                {
                    LoggerFactory.CreateLogger("machine").LogWarning(e, "releasing {Device} failed", device);
                }
            }
        }
        // The accelerator goes first: nothing may run guest code on memory
        // that the board's resources are about to unmap.
        foreach (IVcpu vcpu in _vcpus)
            vcpu.Dispose();
        _vcpus.Clear();
        Vm?.Dispose();
        for (int i = _resources.Count - 1; i >= 0; i--)
            _resources[i].Dispose();
        _resources.Clear();
        GC.SuppressFinalize(this);
    }
}
