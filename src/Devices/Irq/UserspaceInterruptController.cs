using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Irq;

/// <summary>
/// The PC's interrupt controllers and timers in the VMM, for accelerators
/// without an in-kernel irqchip (the software CPU): one local APIC per vCPU,
/// the IOAPIC, the 8259 pair with ELCR, the 8254 PIT with port 0x61, the
/// clock thread for their timers and the irqfd thread. Devices see it as
/// the machine's <see cref="IInterruptController"/>, wired as KVM's routing
/// table is (<c>KvmInterruptController</c>) and as the MADT describes:
/// GSI 0-15 but 2 are ISA IRQs on the 8259s, GSI 0 is also IOAPIC pin 2 and
/// GSI 1-23 but 2 IOAPIC pin g; GSI 2 is not connected; MSI routes take
/// GSIs from 24 up. The PIT drives GSI 0. The 8259's INTR goes to LINT0 of
/// every local APIC (the BSP's is in ExtINT mode after reset).
///
/// How a board uses it:
/// <code>
/// // Build(): before devices ask for lines.
/// _irq = new UserspaceInterruptController(cpuCount, ioApicId: platform.IoApicId, logger: ...);
/// UseInterruptController(_irq);                            // Machine.Interrupts is now this
/// _irq.AddRegions(SystemMemory.Root, IoPorts.Root);        // IOAPIC at 0xFEC00000, ports 0x20-0x21, 0x40-0x43,
///                                                          // 0x61, 0xA0-0xA1, 0x4D0-0x4D1
/// // OnVcpusCreated(vcpus): each vCPU of the software CPU is an IUserspaceApicVcpu.
/// foreach (IVcpu vcpu in vcpus)
///     _irq.CreateLocalApic((IUserspaceApicVcpu)vcpu);      // index = APIC ID; vCPU 0 is the BSP; connects it
/// // Machine reset: _irq.Reset();  QMP inject-nmi: _irq.InjectNmi();  Dispose the machine: _irq.Dispose().
/// </code>
/// The local APIC's xAPIC page is per CPU, so it is not a region here: the
/// vCPU routes accesses to the page at its APIC's <see cref="ILocalApic.BaseMsr"/>
/// to <see cref="ILocalApic.ReadRegister"/>/<see cref="ILocalApic.WriteRegister"/>.
///
/// Thread safety: lines from device threads, MSIs from workers and the
/// irqfd thread, IPIs from vCPUs, timers from the clock thread and registers
/// from vCPUs all meet at per-chip locks taken in one order (the irqfd
/// watcher or the PIT, then a GSI line, then the PIC or the IOAPIC, then a
/// local APIC, then the clock), and a chip calls outward against that order
/// (EOI broadcasts, acknowledge notifications, IPIs, the 8259's INTR) only
/// after releasing its own lock. Delivery allocates nothing.
/// </summary>
public sealed partial class UserspaceInterruptController : IInterruptController, IDisposable
{
    public const int FirstMsiGsi = 24;

    /// <summary>GSIs 24 up to this (exclusive) can carry MSI routes (KVM's default routing table size).</summary>
    public const int GsiLimit = 4096;

    public const ulong IoApicBase = 0xFEC0_0000;

    private readonly ClockEvents _clock;
    private readonly bool _ownsClock;
    private readonly GsiLine[] _lines;
    private readonly IrqFdWatcher _irqFds;
    private readonly object _routesLock = new();
    private readonly int _physicalAddressBits;
    private readonly List<(MemoryRegion Parent, MemoryRegion Region)> _regions = new();
    private MsiRoute?[] _routes = new MsiRoute?[16];
    private bool _disposed;

    /// <param name="vcpuCount">Local APICs 0..vcpuCount-1 (at most 255).</param>
    /// <param name="ioApicId">The IOAPIC's ID as the MADT gives it (AcpiPlatform.IoApicId).</param>
    /// <param name="clock">The clock thread to use; by default one is created and owned.</param>
    /// <param name="physicalAddressBits">The guest's MAXPHYADDR, for the APIC base MSR's reserved bits.</param>
    public UserspaceInterruptController(int vcpuCount, byte ioApicId = 0, ClockEvents? clock = null, ILogger? logger = null, int physicalAddressBits = 52)
    {
        _ownsClock = clock == null;
        _clock = clock ?? new ClockEvents("apic-timers", logger);
        _physicalAddressBits = physicalAddressBits;
        Bus = new ApicBus(vcpuCount);
        IoApic = new IoApic(Bus, ioApicId, OnIoApicPinAcknowledged);
        Bus.IoApic = IoApic;
        Pic = new PicPair(OnPicOutputChanged, OnPicIrqAcknowledged);
        _lines = new GsiLine[IoApic.PinCount];
        for (int gsi = 0; gsi < _lines.Length; gsi++)
            _lines[gsi] = new GsiLine(gsi, Pic, IoApic);
        Pit = new Pit8254(new GsiSourceLine(_lines[0], GsiLine.PitSource), _clock);
        NmiStatusControl = new NmiStatusControlPort(Pit, _clock);
        _irqFds = new IrqFdWatcher(FireIrqFd, logger);
    }

    public bool SupportsIrqFd => true;

    public int IoApicPins => IoApic.PinCount;

    public int VcpuCount => Bus.Capacity;

    public ClockEvents Clock => _clock;

    public ApicBus Bus { get; }

    /// <summary>The IOAPIC; also the handler of its 4 KiB MMIO window.</summary>
    public IoApic IoApic { get; }

    public PicPair Pic { get; }

    /// <summary>The PIT; also the handler of ports 0x40-0x43.</summary>
    public Pit8254 Pit { get; }

    /// <summary>Port 0x61.</summary>
    public NmiStatusControlPort NmiStatusControl { get; }

    /// <summary>The local APIC of vCPU <paramref name="index"/>, once created.</summary>
    public LocalApic? GetLocalApic(int index) => Bus[index];

    /// <summary>
    /// Creates the local APIC of <paramref name="vcpu"/> (APIC ID = its
    /// index; index 0 is the BSP), connects it to the vCPU
    /// (<see cref="IUserspaceApicVcpu.ConnectLocalApic"/>) and to the 8259's
    /// INTR, and returns it.
    /// </summary>
    public LocalApic CreateLocalApic(IUserspaceApicVcpu vcpu)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var apic = new LocalApic(vcpu.Index, Bus, _clock, vcpu, Pic, _physicalAddressBits);
        Bus.Attach(apic);
        apic.SetLocalInterruptPin(0, Pic.InterruptRequested);
        vcpu.ConnectLocalApic(apic);
        return apic;
    }

    /// <summary>
    /// Adds the register windows to the machine's trees: the IOAPIC (4 KiB at
    /// 0xFEC00000) to <paramref name="systemMemory"/>; the PICs, ELCR, PIT and
    /// port 0x61 to <paramref name="ioPorts"/>. <see cref="RemoveRegions"/> takes them out.
    /// </summary>
    public void AddRegions(MemoryRegion systemMemory, MemoryRegion ioPorts)
    {
        Add(systemMemory, "ioapic", IoApicBase, IoApic.MmioSize, IoApic);
        Add(ioPorts, "pic-master", PicPair.MasterBase, PicPair.PortCount, Pic.MasterPorts);
        Add(ioPorts, "pic-slave", PicPair.SlaveBase, PicPair.PortCount, Pic.SlavePorts);
        Add(ioPorts, "elcr", PicPair.ElcrBase, PicPair.PortCount, Pic.ElcrPorts);
        Add(ioPorts, "pit", Pit8254.PortBase, Pit8254.PortCount, Pit);
        Add(ioPorts, "nmi-status-control", NmiStatusControlPort.Port, 1, NmiStatusControl);

        void Add(MemoryRegion parent, string name, ulong address, ulong size, IIoHandler handler)
        {
            MemoryRegion region = MemoryRegion.CreateIo(name, size, handler);
            parent.AddSubregion(region, address);
            _regions.Add((parent, region));
        }
    }

    public void RemoveRegions()
    {
        foreach ((MemoryRegion parent, MemoryRegion region) in _regions)
            parent.RemoveSubregion(region);
        _regions.Clear();
    }

    /// <summary>Machine reset: the chips and every local APIC go to their power-on state (vCPU 0 the BSP). Line levels stay as the devices hold them.</summary>
    public void Reset()
    {
        Pic.Reset();
        IoApic.Reset();
        Pit.Reset();
        NmiStatusControl.Reset();
        for (int i = 0; i < Bus.Capacity; i++)
            Bus[i]?.Reset(i == 0);
    }

    /// <summary>An NMI to every CPU (QMP inject-nmi, the NMI button).</summary>
    public void InjectNmi()
    {
        for (int i = 0; i < Bus.Capacity; i++)
            Bus[i]?.Accept(new ApicMessage(ApicDeliveryMode.Nmi, 0, 0));
    }

    public IIrqLine GetLine(int gsi)
    {
        if ((uint)gsi >= (uint)_lines.Length)
            throw new ArgumentOutOfRangeException(nameof(gsi), $"GSI {gsi} is not an interrupt controller pin");
        return _lines[gsi];
    }

    public void SignalMsi(MsiMessage message) => Bus.DeliverMsi(message);

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        lock (_routesLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            MsiRoute?[] routes = _routes;
            int slot = Array.IndexOf(routes, null);
            if (slot < 0)
            {
                slot = routes.Length;
                if (FirstMsiGsi + slot >= GsiLimit)
                    throw new InterruptRoutesExhaustedException(GsiLimit);
                // Readers index the array without the lock: a grown copy replaces it whole.
                MsiRoute?[] grown = new MsiRoute?[Math.Min(routes.Length * 2, GsiLimit - FirstMsiGsi)];
                Array.Copy(routes, grown, routes.Length);
                routes = grown;
            }
            var route = new MsiRoute(this, FirstMsiGsi + slot, message);
            routes[slot] = route;
            Volatile.Write(ref _routes, routes);
            return route;
        }
    }

    internal void RemoveRoute(MsiRoute route)
    {
        lock (_routesLock)
        {
            int slot = route.Gsi - FirstMsiGsi;
            if ((uint)slot < (uint)_routes.Length && ReferenceEquals(_routes[slot], route))
                Volatile.Write(ref _routes[slot], null);
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null)
    {
        if ((uint)gsi >= GsiLimit)
            throw new ArgumentOutOfRangeException(nameof(gsi), $"GSI {gsi} is beyond the routing table ({GsiLimit})");
        if (resample != null && gsi >= _lines.Length)
            throw new ArgumentException($"GSI {gsi} is an MSI route: only IOAPIC/PIC lines (0-{_lines.Length - 1}) resample", nameof(resample));
        var binding = new IrqFdBinding(this, trigger, gsi, resample);
        if (resample != null)
            _lines[gsi].AddResampler(resample);
        try
        {
            _irqFds.Add(binding);
        }
        catch
        {
            if (resample != null)
                _lines[gsi].RemoveResampler(resample);
            throw;
        }
        return binding;
    }

    internal void RemoveIrqFd(IrqFdBinding binding)
    {
        _irqFds.Remove(binding);
        if (binding.Resample != null)
            _lines[binding.Gsi].RemoveResampler(binding.Resample);
    }

    // On the irqfd thread: a trigger eventfd was signalled.
    internal void FireIrqFd(IrqFdBinding binding)
    {
        int gsi = binding.Gsi;
        if (gsi < _lines.Length)
        {
            if (binding.Resample != null)
                _lines[gsi].AssertFromResampler();
            else
                _lines[gsi].PulseFromIrqFd();
            return;
        }
        MsiRoute?[] routes = Volatile.Read(ref _routes);
        int slot = gsi - FirstMsiGsi;
        if ((uint)slot < (uint)routes.Length)
            Volatile.Read(ref routes[slot])?.Deliver(Bus);
    }

    private void OnPicOutputChanged()
    {
        bool intr = Pic.InterruptRequested;
        for (int i = 0; i < Bus.Capacity; i++)
            Bus[i]?.SetLocalInterruptPin(0, intr);
    }

    private void OnPicIrqAcknowledged(int irq)
    {
        if (irq != 2)
            _lines[irq].Acknowledged();
    }

    private void OnIoApicPinAcknowledged(int pin)
    {
        // Pin 2 is GSI 0 (the timer's override); nothing is wired to pin 0.
        if (pin == 2)
            _lines[0].Acknowledged();
        else if (pin != 0)
            _lines[pin].Acknowledged();
    }

    /// <summary>Stops the irqfd and (if owned) clock threads. The bound eventfds belong to their devices and stay open.</summary>
    public void Dispose()
    {
        lock (_routesLock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _irqFds.Dispose();
        if (_ownsClock)
            _clock.Dispose();
    }
}
