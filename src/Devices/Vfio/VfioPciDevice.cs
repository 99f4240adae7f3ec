using System.Buffers.Binary;
using Emu.Core.Machines;
using Emu.Core.Migration;
using Emu.Core.Objects;
using Emu.Core.Pci;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// -device vfio-pci,host=DDDD:BB:DD.F[,iommufd=ID] or
/// -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID: a physical PCI
/// function, or a mediated device, given to the guest through the kernel's VFIO. Its BARs are mmapped into the
/// guest (memslots, no exits) except the pages of the MSI-X table and PBA; its
/// config space is a shadow in which BARs, the ROM BAR, identity and the
/// MSI/MSI-X capabilities are the VMM's and everything else is the device's;
/// its interrupts are VFIO eventfds bound to KVM irqfds; guest RAM is mapped
/// for its DMA by a listener on the system address space.
/// </summary>
public sealed class VfioPciDevice : PciDevice, IMigrationDataDevice, IMigrationDirtyPageSource
{
    public static readonly StringProperty HostProperty = new("host", null, "Host PCI address of the function to pass through (DDDD:BB:DD.F)");
    public static readonly StringProperty SysfsdevProperty = new("sysfsdev", null, "sysfs directory of the device to pass through, e.g. a mediated device /sys/bus/mdev/devices/UUID");
    public static readonly StringProperty IommufdProperty = new("iommufd", null, "An -object iommufd to attach the device to (default: the VFIO group/container path)");

    public static new readonly ObjectType TypeInfo = new(
        "vfio-pci", PciDevice.TypeInfo, t => new VfioPciDevice(t), "A host PCI function passed through with VFIO",
        new PropertyInfo[] { HostProperty, SysfsdevProperty, IommufdProperty }, userCreatable: true);

    private readonly List<VfioBar> _bars = new();
    private VfioDevice? _device;
    private VfioConfigMap? _configMap;
    private IDisposable? _kvmRegistration;
    private VfioInterrupts? _interrupts;
    private VfioRomBar? _rom;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private string _who = "vfio-pci";
    private long _configFailures;
    private Machine? _claimed;
    private VfioMigration? _migration;

    public VfioPciDevice(ObjectType type) : base(type, express: true)
    {
    }

    /// <summary>The system calls behind the device (tests put a simulated kernel here before realizing).</summary>
    internal IVfioSystem Syscalls { get; set; } = LinuxVfioSystem.Instance;

    internal VfioDevice? Device => _device;

    internal IReadOnlyList<VfioBar> PassthroughBars => _bars;

    internal VfioInterrupts? Interrupts => _interrupts;

    /// <summary>Host address of the function ("0000:01:00.0") or the mdev's UUID, once realized.</summary>
    public string? HostAddress { get; private set; }

    /// <summary>"container" or "iommufd".</summary>
    public string? Backend => _device?.Attachment.Backend;

    /// <summary>Config accesses the device failed (they read as all ones; writes were dropped).</summary>
    public long ConfigFailures => Interlocked.Read(ref _configFailures);

    public override string Description => HostAddress == null ? Type.Description : $"VFIO passthrough of {HostAddress}";

    /// <summary>The device's VFIO migration support (uAPI v2), null when it has none.</summary>
    internal VfioMigration? Migration => _migration;

    // The device's internal state lives in the host device: it moves only
    // through the kernel's VFIO migration uAPI v2 (a variant driver or an mdev
    // vendor driver that implements it). Without it the device would arrive
    // reset under a guest that believes it configured, so it blocks migration.
    public override string? MigrationBlocker => _migration != null ? null :
        $"device {MigrationName} cannot migrate: host device {HostAddress ?? Get(HostProperty) ?? Get(SysfsdevProperty)} has no VFIO migration support (its kernel driver offers no VFIO_DEVICE_FEATURE_MIGRATION with STOP_COPY)";

    string IMigrationDataDevice.MigrationDataId => CanonicalPath;

    long IMigrationDataDevice.PrecopyPendingBytes => _migration?.PrecopyPendingBytes ?? 0;

    long IMigrationDataDevice.StopCopyEstimateBytes => _migration?.StopCopyEstimate ?? 0;

    private VfioMigration RequireMigration() =>
        _migration ?? throw new MigrationException(MigrationBlocker ?? $"device {MigrationName} is not realized");

    void IMigrationDataDevice.BeginOutgoing(bool live) => RequireMigration().BeginOutgoing(live);

    long IMigrationDataDevice.SendPrecopy(Action<ReadOnlySpan<byte>> send, long budget) => RequireMigration().SendPrecopy(send, budget);

    long IMigrationDataDevice.SendStopCopy(Action<ReadOnlySpan<byte>> send) => RequireMigration().SendStopCopy(send);

    void IMigrationDataDevice.EndOutgoing(bool completed) => RequireMigration().EndOutgoing(completed);

    /// <summary>
    /// The guest stopped for a migration's last phase: every migrating VFIO
    /// device of the machine first stops peer-to-peer DMA, then all enter
    /// STOP_COPY, before the last dirty-page pass (the uAPI's P2P protocol).
    /// </summary>
    public override void QuiesceActivity()
    {
        base.QuiesceActivity();
        if (_migration is not { Outgoing: true } || _claimed == null)
            return;
        VfioMigration[] peers = _claimed.Devices.OfType<VfioPciDevice>().Select(d => d._migration).OfType<VfioMigration>().Where(m => m.Outgoing).ToArray();
        foreach (VfioMigration peer in peers)
            peer.QuiesceP2p();
        foreach (VfioMigration peer in peers)
            peer.EnterStopCopy();
    }

    // The pages the device writes by DMA while the guest runs: the type1
    // container's log. The iommufd path has no log here, and a device whose
    // DMA cannot be tracked must not migrate live (its pages would be stale).
    void IMigrationDirtyPageSource.StartDirtyLog()
    {
        IVfioDirtyTracking tracking = _device?.Attachment.DirtyTracking
            ?? throw new MigrationException($"device {MigrationName} cannot migrate live: its IOMMU backend ({Backend ?? "none"}) cannot log the pages the device writes by DMA; stop the VM first (a snapshot), or use the VFIO group/container path");
        tracking.Start();
        _dirtyLogging = tracking;
    }

    void IMigrationDirtyPageSource.CollectDirty(Core.Memory.DirtyPageLog log) => _dirtyLogging?.Collect(log);

    void IMigrationDirtyPageSource.StopDirtyLog()
    {
        IVfioDirtyTracking? tracking = _dirtyLogging;
        _dirtyLogging = null;
        tracking?.Stop();
    }

    private IVfioDirtyTracking? _dirtyLogging;

    /// <summary>The guest runs again: a device a completed migration left stopped runs with it.</summary>
    public override void ResumeActivity()
    {
        base.ResumeActivity();
        try
        {
            _migration?.ResumeRunning();
        }
        catch (MigrationException e)
        {
            _logger.LogWarning("{Who}: {Error}", _who, e.Message);
        }
    }

    void IMigrationDataDevice.BeginIncoming() => RequireMigration().BeginIncoming();

    void IMigrationDataDevice.ReceiveData(ReadOnlySpan<byte> data) => RequireMigration().Receive(data);

    void IMigrationDataDevice.EndIncoming() => RequireMigration().EndIncoming();

    // The host function must exist and be bound to vfio-pci, and an iommufd= must name one.
    protected override void OnCheckConfiguration(Machine machine)
    {
        base.OnCheckConfiguration(machine);
        LocateHostDevice();
        if (Get(IommufdProperty) is string iommufdId)
            machine.ResolveBackend<IommufdBackend>(iommufdId, "iommufd", this);
    }

    private VfioHostDevice LocateHostDevice()
    {
        string? host = Get(HostProperty);
        string? sysfsdev = Get(SysfsdevProperty);
        if (host != null && sysfsdev != null)
            throw new MachineConfigurationException("vfio-pci: give either host= or sysfsdev=, not both");
        if (sysfsdev != null)
            return VfioHostDevice.LocateSysfs(Syscalls, sysfsdev);
        if (host == null)
            throw new MachineConfigurationException("vfio-pci: host= or sysfsdev= is required (the host PCI address, e.g. host=0000:01:00.0, or a mediated device, sysfsdev=/sys/bus/mdev/devices/UUID)");
        return VfioHostDevice.Locate(Syscalls, VfioHostDevice.ParseAddress(host));
    }

    protected override void RealizePci(Machine machine)
    {
        VfioHostDevice hostDevice = LocateHostDevice();
        HostAddress = hostDevice.Name;
        _who = $"vfio-pci {HostAddress}";
        _logger = machine.LoggerFactory.CreateLogger("vfio");
        IVfioSystem system = Syscalls;
        VfioHostClaims.Claim(machine, HostAddress, _who);
        _claimed = machine;
        IVfioBackend backend = Get(IommufdProperty) is string iommufdId
            ? new VfioIommufdBackend(machine.ResolveBackend<IommufdBackend>(iommufdId, "iommufd", this), system)
            : VfioGroupBackend.For(machine, system);
        VfioAttachment attachment;
        try
        {
            attachment = backend.Attach(hostDevice, machine, _who);
        }
        catch
        {
            ReleaseAll();
            throw;
        }
        try
        {
            _device = new VfioDevice(system, attachment, _who);
            _migration = VfioMigration.Probe(system, _device.Handle, _who);
            if (_migration != null)
                _logger.LogInformation("{Who}: VFIO migration {Flags}", _who, VfioMigration.DescribeFlags(_migration.Flags));
            RegisterWithAccelerator(machine);
            LoadConfig();
            _interrupts = new VfioInterrupts(this, _device, machine, _logger);
            _interrupts.Install();
            CreateBars();
            CreateRom();
        }
        catch
        {
            ReleaseAll();
            if (_device == null)
                attachment.Dispose();
            throw;
        }
    }

    // KVM must know about the group (or device file) for non-coherent DMA.
    private void RegisterWithAccelerator(Machine machine)
    {
        if (machine.Vm?.VfioFiles is not { } registry)
            return;
        try
        {
            _kvmRegistration = registry.Add(_device!.Attachment.KvmFile);
        }
        catch (PosixException e)
        {
            _logger.LogWarning("{Who}: the accelerator's VFIO device is unavailable ({Error}); non-coherent DMA is not announced to it", _who, e.Message);
        }
    }

    // The shadow starts as a copy of the device's config space.
    private void LoadConfig()
    {
        VfioDevice device = _device!;
        int deviceSize = (int)Math.Min(device.Config.Size, (ulong)Config.Size);
        if (deviceSize < 0x40)
            throw new MachineConfigurationException($"{_who}: the config space region is only {deviceSize} bytes");
        byte[] snapshot = new byte[deviceSize];
        int errno = device.ReadConfig(0, snapshot);
        if (errno != 0)
            throw new MachineConfigurationException($"{_who}: reading config space failed: {LibC.ErrorText(errno)} (errno {errno})");
        if ((snapshot[PciRegisters.HeaderType] & 0x7F) != 0)
            throw new MachineConfigurationException($"{_who}: header type 0x{snapshot[PciRegisters.HeaderType]:x2} is not an endpoint (bridges cannot be passed through)");
        for (int i = 0; i < deviceSize; i++)
            Config.SetByte(i, snapshot[i]);
        // One function of its own slot: the multi-function bit of the host slot does not apply.
        Config.SetByte(PciRegisters.HeaderType, 0);
        // BARs and the ROM BAR are placed by the VMM (AddBar fills them in).
        for (int offset = PciRegisters.Bar0; offset < PciRegisters.Bar0 + 24; offset += 4)
            Config.SetDword(offset, 0);
        Config.SetDword(PciRegisters.RomAddress, 0);
        Config.SetByte(PciRegisters.InterruptLine, 0);
        _configMap = new VfioConfigMap(Config.Size, deviceSize);
        Snapshot = snapshot;
    }

    /// <summary>The device's config space as read at realize time.</summary>
    internal byte[] Snapshot { get; private set; } = Array.Empty<byte>();

    private void CreateBars()
    {
        VfioDevice device = _device!;
        for (int index = 0; index < 6; index++)
        {
            VfioRegion? region = device.Region((uint)index);
            if (region == null)
                continue;
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(Snapshot.AsSpan(PciRegisters.Bar0 + index * 4));
            PciBarKind kind = (bits & 1) != 0 ? PciBarKind.Io : ((bits >> 1) & 3) == 2 ? PciBarKind.Memory64 : PciBarKind.Memory32;
            bool prefetchable = kind != PciBarKind.Io && (bits & 8) != 0;
            if (kind == PciBarKind.Memory64 && index == 5)
            {
                _logger.LogWarning("{Who}: BAR5 claims to be 64-bit; not offered to the guest", _who);
                continue;
            }
            ulong minimum = kind == PciBarKind.Io ? 4UL : 16UL;
            ulong size = Math.Max(region.Size, minimum);
            if ((size & (size - 1)) != 0)
                size = 1UL << (64 - System.Numerics.BitOperations.LeadingZeroCount(size - 1));
            if (kind == PciBarKind.Memory32 && size > 0x8000_0000 || kind == PciBarKind.Io && size > 0x10000)
                throw new MachineConfigurationException($"{_who}: BAR{index} of 0x{size:x} bytes does not fit its kind");
            var bar = VfioBar.Create(device, index, kind, prefetchable, region, _who, _interrupts!.EmulatedWindows(index));
            _bars.Add(bar);
            AddBar(index, kind, size, bar.Container, prefetchable);
            if (kind == PciBarKind.Memory64)
                index++;
        }
    }

    /// <summary>Serves the capability at <paramref name="offset"/> of the device's chain with an emulated component.</summary>
    internal void InstallCapability(PciCapability capability, int offset) => AttachCapability(capability, offset);

    /// <summary>Marks config bytes as the VMM's: read from the shadow, never forwarded.</summary>
    internal void EmulateConfig(int offset, int length) => _configMap!.Emulate(offset, length);

    protected override void OnRealize(Machine machine)
    {
        try
        {
            base.OnRealize(machine);
            _interrupts!.Start();
        }
        catch
        {
            if (Bus != null)
                _rom?.Unmap(Bus.MemoryWindow);
            DetachFromBus();
            ReleaseAll();
            throw;
        }
    }

    // The ROM, when the device has one, behind a virtualized ROM BAR (unplaced until the guest programs it).
    private void CreateRom()
    {
        if (_device!.Region(VfioConstants.PciRomRegionIndex) is not { CanRead: true } rom)
            return;
        _rom = new VfioRomBar(_device, rom, _who);
        Config.SetWritable(PciRegisters.RomAddress, 4, _rom.WritableMask);
    }

    internal VfioRomBar? Rom => _rom;

    protected override uint OnReadConfig(int offset, int length)
    {
        VfioConfigMap map = _configMap!;
        if (map.AllEmulated(offset, length))
            return Config.Read(offset, length);
        Span<byte> bytes = stackalloc byte[4];
        Span<byte> data = bytes.Slice(0, length);
        if (_device!.ReadConfig(offset, data) != 0)
        {
            Interlocked.Increment(ref _configFailures);
            data.Fill(0xFF);
        }
        uint value = 0;
        for (int i = 0; i < length; i++)
        {
            uint b = map.IsEmulated(offset + i) ? Config.GetByte(offset + i) : data[i];
            value |= b << (8 * i);
        }
        return value;
    }

    protected override void OnWriteConfig(int offset, int length, uint value)
    {
        VfioConfigMap map = _configMap!;
        // The shadow takes every write through its masks: it decides where the
        // BARs are and whether decoding is on, and the capabilities react to it.
        Config.Write(offset, length, value);
        bool touchesRom = offset < PciRegisters.RomAddress + 4 && offset + length > PciRegisters.RomAddress;
        bool touchesCommand = offset < PciRegisters.Command + 2 && offset + length > PciRegisters.Command;
        if (_rom != null && Bus != null && (touchesRom || touchesCommand))
        {
            using (Bus.Topology.BeginTransaction())
                _rom.Update(Config, Bus.MemoryWindow);
        }
        if (map.AllEmulated(offset, length))
            return;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        if (map.NoneEmulated(offset, length))
        {
            if (_device!.WriteConfig(offset, bytes.Slice(0, length)) != 0)
                Interlocked.Increment(ref _configFailures);
            return;
        }
        for (int i = 0; i < length; i++)
        {
            if (!map.IsEmulated(offset + i) && _device!.WriteConfig(offset + i, bytes.Slice(i, 1)) != 0)
                Interlocked.Increment(ref _configFailures);
        }
    }

    /// <summary>System reset: the function is reset by VFIO (FLR or equivalent), then the shadow and interrupts go back to their power-on state.</summary>
    public override void Reset()
    {
        _interrupts?.DisableAll();
        if (_device != null && !_device.TryReset())
            _logger.LogInformation("{Who}: the device cannot be reset by VFIO; only its emulated state is reset", _who);
        base.Reset();
        lock (ConfigLock)
        {
            Config.SetDword(PciRegisters.RomAddress, 0);
            if (Bus != null)
                _rom?.Update(Config, Bus.MemoryWindow);
        }
        _interrupts?.AfterReset();
    }

    // BARs leave the address space first: no memslot, and no vCPU after the
    // grace period, may point at a mapping about to go.
    protected override void OnDisconnect()
    {
        if (Bus != null)
        {
            lock (ConfigLock)
                _rom?.Unmap(Bus.MemoryWindow);
        }
        base.OnDisconnect();
    }

    protected override void OnUnrealize()
    {
        base.OnUnrealize();
        ReleaseAll();
    }

    private void ReleaseAll()
    {
        long ignored = (_interrupts?.MsixTableWindow?.IgnoredAccesses ?? 0) + (_interrupts?.MsixPbaWindow?.IgnoredAccesses ?? 0);
        if (ignored > 0)
            _logger.LogWarning("{Who}: the guest made {Count} MSI-X table/PBA accesses that were not aligned 4- or 8-byte accesses; they were ignored", _who, ignored);
        _interrupts?.Dispose();
        _interrupts = null;
        foreach (VfioBar bar in _bars)
            bar.Dispose();
        _bars.Clear();
        _kvmRegistration?.Dispose();
        _kvmRegistration = null;
        _migration?.Dispose();
        _migration = null;
        _device?.Dispose();
        _device = null;
        if (_claimed != null)
            VfioHostClaims.Release(_claimed, HostAddress!);
        _claimed = null;
    }
}
