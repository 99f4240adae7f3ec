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
///
/// The parts: <see cref="VirtioCommonConfig"/> (the common configuration
/// registers), <see cref="VirtioDeviceLifecycle"/> (device status, the worker,
/// reset; its remarks give the lock order), <see cref="VirtioInterruptLine"/>
/// (MSI-X or ISR and INTx) and <see cref="VirtioPciConfigWindow"/> (the
/// PCI_CFG window). The function's config lock is never held while any of
/// them runs.
/// </summary>
public abstract partial class VirtioPciDevice : PciDevice, IVirtioTransport
{
    public static new readonly ObjectType TypeInfo = new("virtio-pci", PciDevice.TypeInfo, null, "Base type of virtio PCI devices");

    public const ushort VirtioVendorId = 0x1AF4;
    public const ushort NoVector = 0xFFFF;
    public const int MsixBar = 1, RegisterBar = 4;
    public const ulong RegisterBarSize = 0x4000, MsixBarSize = 0x1000, PbaOffset = 0x800;
    public const uint NotifyOffMultiplier = 4;

    private VirtioDevice? _device;
    private MsixCapability? _msix;
    private VirtioCommonConfig? _common;
    private VirtioInterruptLine? _interrupts;
    private VirtioDeviceLifecycle? _lifecycle;
    private VirtioPciConfigWindow? _window;
    private EventFd[] _queueEvents = Array.Empty<EventFd>();
    private IDisposable?[] _ioEvents = Array.Empty<IDisposable?>();
    private IIoEventRegistry? _ioEventRegistry;
    private int _configGeneration;

    protected VirtioPciDevice(ObjectType type) : base(type)
    {
    }

    /// <summary>The device behind the transport (after realize).</summary>
    public VirtioDevice? VirtioDevice => _device;

    public MsixCapability? Msix => _msix;

    public byte Status => _lifecycle?.Status ?? 0;

    public bool IsFailed => _lifecycle?.IsFailed ?? false;

    /// <summary>A worker thread serves the queues (DRIVER_OK was set and no reset is under way).</summary>
    public bool IsActive => _lifecycle?.IsActive ?? false;

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
        ILogger logger = machine.LoggerFactory.CreateLogger("virtio");
        device.Attach(this, machine.Ram);
        SetIdentity(VirtioVendorId, (ushort)(0x1040 + device.DeviceId), PciClassCode, revision: 1, subsystemVendor: VirtioVendorId, subsystem: 0x1100);
        SetInterruptPin(1);

        int vectors = device.QueueCount + 1;
        _msix = AddCapability(new MsixCapability(vectors, MsixBar, 0, MsixBar, (uint)PbaOffset, new MsiVectorRouter(machine.Interrupts, vectors, logger, ToString())));
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
        _window = new VirtioPciConfigWindow(AddVirtioCapability(VirtioPciCapType.PciConfig, 0, 0, extra: 4, bar: 0), RegisterBar, RegisterBarSize);
        _window.Install(Config);

        _queueEvents = new EventFd[device.QueueCount];
        _ioEvents = new IDisposable?[device.QueueCount];
        for (int i = 0; i < _queueEvents.Length; i++)
            _queueEvents[i] = new EventFd(nonBlocking: true);
        _ioEventRegistry = machine.Vm?.IoEvents is { SupportsIoEventFd: true } registry ? registry : null;
        _common = new VirtioCommonConfig(device, vectors);
        _interrupts = new VirtioInterruptLine(this, _msix);
        _lifecycle = new VirtioDeviceLifecycle(device, _common, _interrupts, _queueEvents, this, $"{Type.Name}@{Address}", logger);
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
        DropIoEvents();
        if (bar.MappedAddress is not ulong address)
            return;
        ulong notify = address + (ulong)VirtioPciRegion.Notify * 0x1000;
        for (int q = 0; q < _ioEvents.Length; q++)
            _ioEvents[q] = _ioEventRegistry.Add(_queueEvents[q], notify + (ulong)q * NotifyOffMultiplier, 2, pio: false);
    }

    private void DropIoEvents()
    {
        for (int q = 0; q < _ioEvents.Length; q++)
        {
            _ioEvents[q]?.Dispose();
            _ioEvents[q] = null;
        }
    }

    // ---- the PCI configuration access capability (outside the config lock) ----

    protected override void BeforeConfigRead(int offset, int length)
    {
        VirtioPciConfigWindow? window = _window;
        if (window == null || !window.TouchesData(offset, length))
            return;
        ulong barOffset;
        int size;
        lock (ConfigLock)
        {
            if (!window.TryDecode(Config, out barOffset, out size))
                return;
        }
        Span<byte> data = stackalloc byte[4];
        ReadRegisters(barOffset, data.Slice(0, size));
        lock (ConfigLock)
            Config.SetDword(window.Data, BinaryPrimitives.ReadUInt32LittleEndian(data));
    }

    protected override void AfterConfigWrite(int offset, int length)
    {
        VirtioPciConfigWindow? window = _window;
        if (window == null || !window.TouchesData(offset, length))
            return;
        ulong barOffset;
        int size;
        Span<byte> data = stackalloc byte[4];
        lock (ConfigLock)
        {
            if (!window.TryDecode(Config, out barOffset, out size))
                return;
            BinaryPrimitives.WriteUInt32LittleEndian(data, Config.GetDword(window.Data));
        }
        WriteRegisters(barOffset, data.Slice(0, size));
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
                    data[0] = _interrupts!.ReadAndClearIsr();
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

    private void ReadCommon(int offset, Span<byte> data)
    {
        VirtioDeviceLifecycle lifecycle = _lifecycle!;
        ulong value;
        lock (lifecycle.Lock)
            value = _common!.Read(offset, data.Length, lifecycle.Status, (byte)Volatile.Read(ref _configGeneration));
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(value >> (8 * i));
    }

    private void WriteCommon(int offset, ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        for (int i = 0; i < data.Length && i < 8; i++)
            value |= (ulong)data[i] << (8 * i);
        VirtioDeviceLifecycle lifecycle = _lifecycle!;
        if (offset == VirtioCommonConfig.DeviceStatus)
        {
            if (data.Length == 1)
                lifecycle.WriteStatus((byte)value); // takes the lock itself, and joins the worker outside it
            return;
        }
        lock (lifecycle.Lock)
            _common!.Write(offset, data.Length, value, lifecycle.Status);
    }

    // ---- IVirtioTransport -------------------------------------------------

    public void SignalUsed(SplitQueue queue)
    {
        if (queue.ShouldNotify())
            _interrupts!.Signal(queue.MsixVector, VirtioInterruptLine.QueueInterrupt);
    }

    public void SignalConfigChange()
    {
        Interlocked.Increment(ref _configGeneration);
        _interrupts!.Signal(_common!.ConfigVector, VirtioInterruptLine.ConfigInterrupt);
    }

    public void Fail(string reason) => _lifecycle?.Fail(reason);

    public void WatchBackend(bool enabled) => _lifecycle?.WatchBackend(enabled);

    public override string Description => Type.Description;

    // ---- lifecycle --------------------------------------------------------

    public override void Reset()
    {
        _lifecycle?.Reset();
        base.Reset();
    }

    // The BARs leave first (no memslot, no ioeventfd, no config cycle reaches
    // the function any more); the device keeps running until the grace period
    // has passed: a vCPU may still be inside one of its handlers.
    protected override void OnDisconnect()
    {
        base.OnDisconnect();
        DropIoEvents();
    }

    // No vCPU reaches the function now: the device stops for good (the guest
    // cannot activate it again), then its eventfds and vectors are released.
    protected override void OnUnrealize()
    {
        _lifecycle?.Retire();
        DropIoEvents();
        base.OnUnrealize();
        foreach (EventFd e in _queueEvents)
            e.Dispose();
        _msix?.Dispose();
        _device?.Dispose();
    }
}
