using System.Buffers.Binary;
using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emu.Devices.Virtio;

/// <summary>
/// The modern virtio-over-PCI transport (virtio 1.2 section 4.1): PCI device
/// ID 0x1040 + device ID, revision 1, vendor capabilities that locate the
/// common configuration, notification, ISR and device configuration
/// structures in BAR 4 (64-bit, 16 KiB, one page each), the PCI configuration
/// access capability, and MSI-X with one vector per queue plus one for
/// configuration changes (table and PBA in BAR 1).
///
/// Queue notifications are ioeventfds at BAR 4 + 0x3000 + 4 x queue (re-registered
/// when the guest moves the BAR) that wake the device's worker thread; used
/// buffer notifications are MSI-X vectors fired through irqfds. After the
/// driver has set things up, the data path never exits to the VMM.
/// </summary>
public abstract class VirtioPciDevice : PciDevice, IVirtioTransport
{
    public static new readonly ObjectType TypeInfo = new("virtio-pci", PciDevice.TypeInfo, null, "Base type of virtio PCI devices");

    public const ushort VirtioVendorId = 0x1AF4;
    public const ushort NoVector = 0xFFFF;
    public const int MsixBar = 1, RegisterBar = 4;
    public const ulong RegisterBarSize = 0x4000, MsixBarSize = 0x1000, PbaOffset = 0x800;
    public const uint NotifyOffMultiplier = 4;

    // struct virtio_pci_common_cfg (4.1.4.3)
    private const int DeviceFeatureSelect = 0x00, DeviceFeature = 0x04, DriverFeatureSelect = 0x08, DriverFeature = 0x0C,
        ConfigMsixVector = 0x10, NumQueues = 0x12, DeviceStatus = 0x14, ConfigGeneration = 0x15, QueueSelect = 0x16,
        QueueSizeRegister = 0x18, QueueMsixVector = 0x1A, QueueEnable = 0x1C, QueueNotifyOff = 0x1E, QueueDesc = 0x20,
        QueueDriver = 0x28, QueueDevice = 0x30, QueueNotifyData = 0x38, QueueReset = 0x3A;

    private readonly object _lock = new();
    private VirtioDevice? _device;
    private MsixCapability? _msix;
    private EventFd[] _queueEvents = Array.Empty<EventFd>();
    private IDisposable?[] _ioEvents = Array.Empty<IDisposable?>();
    private IIoEventRegistry? _ioEventRegistry;
    private VirtioWorker? _worker;
    private ILogger _logger = NullLogger.Instance;
    private int _pciCfgCap;

    private uint _deviceFeatureSelect;
    private uint _driverFeatureSelect;
    private ulong _driverFeatures;
    private int _status;
    private byte _configGeneration;
    private ushort _queueSelect;
    private ushort _configVector = NoVector;
    private int _isr;
    private volatile bool _failed;

    protected VirtioPciDevice(ObjectType type) : base(type)
    {
    }

    /// <summary>The device behind the transport (after realize).</summary>
    public VirtioDevice? VirtioDevice => _device;

    public MsixCapability? Msix => _msix;

    public byte Status => (byte)Volatile.Read(ref _status);

    public bool IsFailed => _failed;

    /// <summary>Whether queue notifications arrive through ioeventfds (no VMM exit).</summary>
    public bool UsesIoEventFds => _ioEventRegistry != null;

    /// <summary>Features offered to the driver: the device's and the transport's.</summary>
    public ulong OfferedFeatures => (_device?.DeviceFeatures ?? 0) | VirtioFeatures.Transport;

    /// <summary>Creates the device model (resolving its backends); called once at realize.</summary>
    protected abstract VirtioDevice CreateDevice(Machine machine);

    /// <summary>PCI class code of the function.</summary>
    protected abstract uint PciClassCode { get; }

    protected override void RealizePci(Machine machine)
    {
        VirtioDevice device = CreateDevice(machine);
        _device = device;
        _logger = machine.LoggerFactory.CreateLogger("virtio");
        device.Attach(this, machine.Ram);
        SetIdentity(VirtioVendorId, (ushort)(0x1040 + device.DeviceId), PciClassCode, revision: 1, subsystemVendor: VirtioVendorId, subsystem: 0x1100);
        SetInterruptPin(1);

        int vectors = device.QueueCount + 1;
        _msix = AddCapability(new MsixCapability(vectors, MsixBar, 0, MsixBar, (uint)PbaOffset, new MsiVectorRouter(machine.Interrupts, vectors)));
        var msixBar = MemoryRegion.CreateContainer($"{Type.Name}-msix", MsixBarSize);
        msixBar.AddSubregion(MemoryRegion.CreateIo("msix-table", (ulong)_msix.TableSize, _msix.TableHandler), 0);
        msixBar.AddSubregion(MemoryRegion.CreateIo("msix-pba", (ulong)_msix.PbaSize, _msix.PbaHandler), PbaOffset);
        AddBar(MsixBar, PciBarKind.Memory32, MsixBarSize, msixBar);

        var registers = MemoryRegion.CreateContainer($"{Type.Name}-regs", RegisterBarSize);
        foreach (VirtioPciRegion region in new[] { VirtioPciRegion.Common, VirtioPciRegion.Isr, VirtioPciRegion.Device, VirtioPciRegion.Notify })
            registers.AddSubregion(MemoryRegion.CreateIo($"virtio-pci-{region.ToString().ToLowerInvariant()}", 0x1000, new VirtioPciRegionHandler(this, region)), (ulong)region * 0x1000);
        AddBar(RegisterBar, PciBarKind.Memory64, RegisterBarSize, registers, prefetchable: true);

        AddVirtioCapability(VirtioPciCapType.CommonConfig, VirtioPciRegion.Common, 0x1000);
        AddVirtioCapability(VirtioPciCapType.IsrConfig, VirtioPciRegion.Isr, 0x1000);
        AddVirtioCapability(VirtioPciCapType.DeviceConfig, VirtioPciRegion.Device, 0x1000);
        int notify = AddVirtioCapability(VirtioPciCapType.NotifyConfig, VirtioPciRegion.Notify, 0x1000, extra: 4);
        Config.SetDword(notify + 16, NotifyOffMultiplier);
        // VIRTIO_PCI_CAP_PCI_CFG (4.1.4.9): a window onto the BARs through config space.
        _pciCfgCap = AddVirtioCapability(VirtioPciCapType.PciConfig, 0, 0, extra: 4, bar: 0);
        Config.SetWritable(_pciCfgCap + 4, 1, 0xFF);
        Config.SetWritable(_pciCfgCap + 8, 4, 0xFFFF_FFFF);
        Config.SetWritable(_pciCfgCap + 12, 4, 0xFFFF_FFFF);
        Config.SetWritable(_pciCfgCap + 16, 4, 0xFFFF_FFFF);

        _queueEvents = new EventFd[device.QueueCount];
        _ioEvents = new IDisposable?[device.QueueCount];
        for (int i = 0; i < _queueEvents.Length; i++)
            _queueEvents[i] = new EventFd(nonBlocking: true);
        _ioEventRegistry = machine.Vm?.IoEvents is { SupportsIoEventFd: true } registry ? registry : null;
    }

    // struct virtio_pci_cap: vndr, next, len, cfg_type, bar, id, padding[2], offset, length (4.1.4).
    private int AddVirtioCapability(byte type, VirtioPciRegion region, uint length, int extra = 0, int bar = RegisterBar)
    {
        int offset = AddCapability(PciCapabilityId.VendorSpecific, 16 + extra);
        Config.SetByte(offset + 2, (byte)(16 + extra));
        Config.SetByte(offset + 3, type);
        Config.SetByte(offset + 4, (byte)bar);
        Config.SetDword(offset + 8, type == VirtioPciCapType.PciConfig ? 0 : (uint)region * 0x1000);
        Config.SetDword(offset + 12, length);
        return offset;
    }

    protected override void OnBarMapped(PciBar bar)
    {
        if (bar.Index != RegisterBar || _ioEventRegistry == null)
            return;
        for (int q = 0; q < _ioEvents.Length; q++)
        {
            _ioEvents[q]?.Dispose();
            _ioEvents[q] = null;
        }
        if (bar.MappedAddress is not ulong address)
            return;
        ulong notify = address + (ulong)VirtioPciRegion.Notify * 0x1000;
        for (int q = 0; q < _ioEvents.Length; q++)
            _ioEvents[q] = _ioEventRegistry.Add(_queueEvents[q], notify + (ulong)q * NotifyOffMultiplier, 2, pio: false);
    }

    // ---- the PCI configuration access capability ------------------------

    protected override uint OnReadConfig(int offset, int length)
    {
        if (_pciCfgCap != 0 && offset >= _pciCfgCap + 16 && offset < _pciCfgCap + 20)
        {
            Span<byte> data = stackalloc byte[4];
            if (TryPciCfgWindow(out ulong barOffset, out int size))
            {
                ReadRegisters(barOffset, data.Slice(0, size));
                Config.SetDword(_pciCfgCap + 16, BinaryPrimitives.ReadUInt32LittleEndian(data));
            }
        }
        return base.OnReadConfig(offset, length);
    }

    protected override void OnWriteConfig(int offset, int length, uint value)
    {
        base.OnWriteConfig(offset, length, value);
        if (_pciCfgCap != 0 && offset >= _pciCfgCap + 16 && offset < _pciCfgCap + 20 && TryPciCfgWindow(out ulong barOffset, out int size))
        {
            Span<byte> data = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(data, Config.GetDword(_pciCfgCap + 16));
            WriteRegisters(barOffset, data.Slice(0, size));
        }
    }

    // The driver selects BAR 4 and an offset and length (1, 2 or 4, aligned) inside it (4.1.4.9.1).
    private bool TryPciCfgWindow(out ulong barOffset, out int size)
    {
        barOffset = Config.GetDword(_pciCfgCap + 8);
        uint length = Config.GetDword(_pciCfgCap + 12);
        size = (int)length;
        return Config.GetByte(_pciCfgCap + 4) == RegisterBar && length is 1 or 2 or 4
            && (barOffset & (length - 1)) == 0 && barOffset + length <= RegisterBarSize;
    }

    private void ReadRegisters(ulong offset, Span<byte> data) => ReadRegion((VirtioPciRegion)(offset >> 12), offset & 0xFFF, data);

    private void WriteRegisters(ulong offset, ReadOnlySpan<byte> data) => WriteRegion((VirtioPciRegion)(offset >> 12), offset & 0xFFF, data);

    // ---- BAR 4 ------------------------------------------------------------

    internal void ReadRegion(VirtioPciRegion region, ulong offset, Span<byte> data)
    {
        switch (region)
        {
            case VirtioPciRegion.Common:
                ReadCommon((int)offset, data);
                break;
            case VirtioPciRegion.Isr:
                data.Clear();
                if (offset == 0)
                    data[0] = ReadAndClearIsr();
                break;
            case VirtioPciRegion.Device:
                VirtioDevice device = _device!;
                if (offset + (ulong)data.Length <= (ulong)device.ConfigSize)
                    device.ReadConfig((int)offset, data);
                else
                    data.Clear();
                break;
            default:
                data.Clear();
                break;
        }
    }

    internal void WriteRegion(VirtioPciRegion region, ulong offset, ReadOnlySpan<byte> data)
    {
        switch (region)
        {
            case VirtioPciRegion.Common:
                WriteCommon((int)offset, data);
                break;
            case VirtioPciRegion.Device:
                VirtioDevice device = _device!;
                if (offset + (ulong)data.Length <= (ulong)device.ConfigSize)
                    device.WriteConfig((int)offset, data);
                break;
            case VirtioPciRegion.Notify:
                // The slow path of a queue notification (no ioeventfd, or a write
                // of another width): wake the worker the same way (4.1.5.2).
                ulong queue = offset / NotifyOffMultiplier;
                if (offset % NotifyOffMultiplier == 0 && queue < (ulong)_queueEvents.Length)
                    _queueEvents[queue].Signal();
                break;
        }
    }

    private byte ReadAndClearIsr()
    {
        // Reading the ISR status clears it and deasserts INTx (4.1.4.5).
        byte isr = (byte)Interlocked.Exchange(ref _isr, 0);
        if (isr != 0)
            SetIntx(false);
        return isr;
    }

    private SplitQueue? SelectedQueue
    {
        get
        {
            IReadOnlyList<SplitQueue> queues = _device!.Queues;
            return _queueSelect < queues.Count ? queues[_queueSelect] : null;
        }
    }

    private void ReadCommon(int offset, Span<byte> data)
    {
        ulong value;
        lock (_lock)
        {
            SplitQueue? q = SelectedQueue;
            // Fields are read with their natural width; 64-bit fields also as two 32-bit halves (4.1.3.1).
            value = (offset, data.Length) switch
            {
                (DeviceFeatureSelect, 4) => _deviceFeatureSelect,
                (DeviceFeature, 4) => _deviceFeatureSelect switch
                {
                    0 => (uint)OfferedFeatures,
                    1 => (uint)(OfferedFeatures >> 32),
                    _ => 0,
                },
                (DriverFeatureSelect, 4) => _driverFeatureSelect,
                (DriverFeature, 4) => _driverFeatureSelect switch
                {
                    0 => (uint)_driverFeatures,
                    1 => (uint)(_driverFeatures >> 32),
                    _ => 0,
                },
                (ConfigMsixVector, 2) => _configVector,
                (NumQueues, 2) => (ulong)_device!.QueueCount,
                (DeviceStatus, 1) => Status,
                (ConfigGeneration, 1) => _configGeneration,
                (QueueSelect, 2) => _queueSelect,
                (QueueSizeRegister, 2) => q?.Size ?? 0,
                (QueueMsixVector, 2) => q?.MsixVector ?? NoVector,
                (QueueEnable, 2) => q?.Enabled == true ? 1UL : 0,
                (QueueNotifyOff, 2) => _queueSelect,
                (QueueDesc, 8) or (QueueDesc, 4) => q?.DescriptorTable ?? 0,
                (QueueDesc + 4, 4) => (q?.DescriptorTable ?? 0) >> 32,
                (QueueDriver, 8) or (QueueDriver, 4) => q?.AvailRing ?? 0,
                (QueueDriver + 4, 4) => (q?.AvailRing ?? 0) >> 32,
                (QueueDevice, 8) or (QueueDevice, 4) => q?.UsedRing ?? 0,
                (QueueDevice + 4, 4) => (q?.UsedRing ?? 0) >> 32,
                (QueueNotifyData, 2) => _queueSelect,
                (QueueReset, 2) => 0,
                _ => 0,
            };
        }
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(value >> (8 * i));
    }

    private void WriteCommon(int offset, ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        for (int i = 0; i < data.Length && i < 8; i++)
            value |= (ulong)data[i] << (8 * i);
        lock (_lock)
        {
            if (offset == DeviceStatus && data.Length == 1)
            {
                WriteStatus((byte)value);
                return;
            }
            bool live = (Status & VirtioStatus.DriverOk) != 0;
            SplitQueue? q = SelectedQueue;
            switch (offset, data.Length)
            {
                case (DeviceFeatureSelect, 4):
                    _deviceFeatureSelect = (uint)value;
                    break;
                case (DriverFeatureSelect, 4):
                    _driverFeatureSelect = (uint)value;
                    break;
                case (DriverFeature, 4):
                    // Features are fixed once FEATURES_OK is set (3.1.1).
                    if ((Status & VirtioStatus.FeaturesOk) != 0)
                        break;
                    if (_driverFeatureSelect == 0)
                        _driverFeatures = (_driverFeatures & 0xFFFF_FFFF_0000_0000) | (uint)value;
                    else if (_driverFeatureSelect == 1)
                        _driverFeatures = (_driverFeatures & 0xFFFF_FFFF) | (value << 32);
                    break;
                case (ConfigMsixVector, 2):
                    _configVector = CheckVector((ushort)value);
                    break;
                case (QueueSelect, 2):
                    _queueSelect = (ushort)value;
                    break;
                case (QueueMsixVector, 2) when q != null:
                    q.MsixVector = CheckVector((ushort)value);
                    break;
                // The queue's layout cannot change under a running device: such writes are ignored.
                case (QueueSizeRegister, 2) when q != null && !live && !q.Enabled:
                    q.Size = (ushort)value;
                    break;
                case (QueueEnable, 2) when q != null && !live:
                    // Only 1 may be written (4.1.4.3.2); disabling goes through queue_reset, not offered.
                    if (value == 1)
                        q.Enabled = true;
                    break;
                case (QueueDesc, 8) when q != null && !live && !q.Enabled:
                    q.DescriptorTable = value;
                    break;
                case (QueueDesc, 4) when q != null && !live && !q.Enabled:
                    q.DescriptorTable = (q.DescriptorTable & 0xFFFF_FFFF_0000_0000) | value;
                    break;
                case (QueueDesc + 4, 4) when q != null && !live && !q.Enabled:
                    q.DescriptorTable = (q.DescriptorTable & 0xFFFF_FFFF) | (value << 32);
                    break;
                case (QueueDriver, 8) when q != null && !live && !q.Enabled:
                    q.AvailRing = value;
                    break;
                case (QueueDriver, 4) when q != null && !live && !q.Enabled:
                    q.AvailRing = (q.AvailRing & 0xFFFF_FFFF_0000_0000) | value;
                    break;
                case (QueueDriver + 4, 4) when q != null && !live && !q.Enabled:
                    q.AvailRing = (q.AvailRing & 0xFFFF_FFFF) | (value << 32);
                    break;
                case (QueueDevice, 8) when q != null && !live && !q.Enabled:
                    q.UsedRing = value;
                    break;
                case (QueueDevice, 4) when q != null && !live && !q.Enabled:
                    q.UsedRing = (q.UsedRing & 0xFFFF_FFFF_0000_0000) | value;
                    break;
                case (QueueDevice + 4, 4) when q != null && !live && !q.Enabled:
                    q.UsedRing = (q.UsedRing & 0xFFFF_FFFF) | (value << 32);
                    break;
            }
        }
    }

    // A vector the table does not have reads back as NO_VECTOR, telling the driver the mapping failed (4.1.5.1.2).
    private ushort CheckVector(ushort vector) => vector < (_msix?.VectorCount ?? 0) ? vector : NoVector;

    private void WriteStatus(byte value)
    {
        if (value == 0)
        {
            ResetDevice();
            return;
        }
        byte current = Status;
        byte added = (byte)(value & ~current);
        byte next = (byte)(current | value);
        if ((added & VirtioStatus.FeaturesOk) != 0)
        {
            // The driver may only accept what was offered, and a modern device
            // needs VIRTIO_F_VERSION_1; otherwise FEATURES_OK stays clear (3.1.1).
            if ((_driverFeatures & ~OfferedFeatures) != 0 || (_driverFeatures & VirtioFeatures.Version1) == 0)
                next &= unchecked((byte)~VirtioStatus.FeaturesOk);
        }
        if ((added & VirtioStatus.DriverOk) != 0 && (next & VirtioStatus.FeaturesOk) == 0)
            next &= unchecked((byte)~VirtioStatus.DriverOk);
        Volatile.Write(ref _status, next | (Volatile.Read(ref _status) & VirtioStatus.DeviceNeedsReset));
        if ((added & VirtioStatus.DriverOk) != 0 && (next & VirtioStatus.DriverOk) != 0)
            ActivateDevice();
    }

    private void ActivateDevice()
    {
        VirtioDevice device = _device!;
        foreach (SplitQueue queue in device.Queues)
        {
            if (queue.Enabled && !queue.Activate(_driverFeatures))
            {
                Fail($"queue {queue.Index}: {queue.Error} (size {queue.Size}, rings 0x{queue.DescriptorTable:x}/0x{queue.AvailRing:x}/0x{queue.UsedRing:x})");
                return;
            }
        }
        device.Activate(_driverFeatures);
        _worker = new VirtioWorker($"{Type.Name}@{Address}", device, _queueEvents, this, _logger);
        _worker.Start();
    }

    private void ResetDevice()
    {
        _worker?.Dispose();
        _worker = null;
        VirtioDevice? device = _device;
        if (device != null)
        {
            foreach (SplitQueue queue in device.Queues)
                queue.Reset();
            device.Reset();
        }
        foreach (EventFd e in _queueEvents)
            e.Wait();
        _deviceFeatureSelect = _driverFeatureSelect = 0;
        _driverFeatures = 0;
        _queueSelect = 0;
        _configVector = NoVector;
        _failed = false;
        Volatile.Write(ref _status, 0);
        if (Interlocked.Exchange(ref _isr, 0) != 0)
            SetIntx(false);
    }

    // ---- IVirtioTransport -------------------------------------------------

    public void SignalUsed(SplitQueue queue)
    {
        if (queue.ShouldNotify())
            SignalVector(queue.MsixVector, 1);
    }

    public void SignalConfigChange()
    {
        unchecked { _configGeneration++; }
        SignalVector(_configVector, 2);
    }

    // MSI-X when the driver enabled it (a vector of NO_VECTOR means no interrupt),
    // otherwise the ISR bit and INTx, which the ISR read deasserts (4.1.4.5, 4.1.5.3).
    private void SignalVector(ushort vector, int isrBit)
    {
        MsixCapability? msix = _msix;
        if (msix != null && msix.Enabled)
        {
            if (vector != NoVector)
                msix.Notify(vector);
            return;
        }
        Interlocked.Or(ref _isr, isrBit);
        SetIntx(true);
    }

    public void Fail(string reason)
    {
        if (_failed)
            return;
        _failed = true;
        _logger.LogError("{Device} at {Address}: {Reason}; device needs reset", Type.Name, Address, reason);
        int status;
        do
        {
            status = Volatile.Read(ref _status);
        }
        while (Interlocked.CompareExchange(ref _status, status | VirtioStatus.DeviceNeedsReset, status) != status);
        // With DRIVER_OK the driver must hear about it (2.1.2).
        if ((status & VirtioStatus.DriverOk) != 0)
            SignalConfigChange();
    }

    public void WatchBackend(bool enabled) => _worker?.WatchBackend(enabled);

    public override string Description => Type.Description;

    public override void Reset()
    {
        lock (_lock)
            ResetDevice();
        base.Reset();
    }

    protected override void OnUnrealize()
    {
        lock (_lock)
            ResetDevice();
        foreach (IDisposable? registration in _ioEvents)
            registration?.Dispose();
        base.OnUnrealize();
        foreach (EventFd e in _queueEvents)
            e.Dispose();
        _msix?.Dispose();
        _device?.Dispose();
    }
}
