using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Core.Pci;

/// <summary>
/// A PCI function. Its configuration space is a byte array with writable-bit
/// masks; BAR and command register writes move or (un)map the BAR regions in
/// the bus's address spaces; capabilities are chained from offset 0x34.
/// Config accesses from different vCPUs are serialized per function.
///
/// Locks of a function, in the only order in which they may nest:
/// <list type="number">
/// <item><see cref="ConfigLock"/>: config space, the capabilities' config-side
/// state and the BAR mappings. Taken only by config cycles and by the VMM
/// (reset, BAR placement), never by a device's worker threads. Inside it a
/// function may take its capabilities' locks (MSI-X table), the memory
/// topology's lock (a BAR moves) and the INTx lock; it must never wait for
/// another thread (join a worker) nor reach the device model's own locks: a
/// config cycle that is forwarded to a BAR (virtio's PCI_CFG window) runs in
/// <see cref="BeforeConfigRead"/> / <see cref="AfterConfigWrite"/>, after the
/// config lock is released.</item>
/// <item>The INTx lock (<see cref="SetIntx"/>): the pin's level and the
/// command register's interrupt-disable bit, and driving the bus's line. Taken
/// by workers raising INTx and by config writes to the command register.
/// Inside it: the bus's lock, then the interrupt controller's locks; nothing
/// there calls back into a device.</item>
/// </list>
/// The interrupt status bit of the status register is not stored in config
/// space: reads compose it from the pin's level, so a worker raising INTx
/// never writes config space.
/// </summary>
public abstract partial class PciDevice : Device
{
    public static readonly StringProperty AddrProperty = new("addr", null, "Slot and function on the PCI bus, e.g. 04.0 (default: first free slot)");
    public static readonly BoolProperty MultifunctionProperty = new("multifunction", false, "Mark the device as part of a multi-function slot");

    public static new readonly ObjectType TypeInfo = new(
        "pci-device", Device.TypeInfo, null, "Base type of PCI functions",
        new PropertyInfo[] { AddrProperty, MultifunctionProperty });

    private readonly PciBar?[] _bars = new PciBar?[6];
    private readonly List<PciCapability> _capabilities = new();
    private int _lastCapability;
    private int _nextCapability = PciRegisters.FirstCapability;
    private int _lastExtendedCapability;
    private int _nextExtendedCapability = PciRegisters.FirstExtendedCapability;
    private readonly object _intxLock = new();
    private volatile bool _intxLevel;
    private bool _intxDisabled;

    protected PciDevice(ObjectType type, bool express = false) : base(type)
    {
        Config = new PciConfigSpace(express ? 4096 : 256);
        IsExpress = express;
        // Command: I/O, memory, bus master, SERR and interrupt-disable are the guest's.
        Config.SetWritable(PciRegisters.Command, 2, PciRegisters.CommandIo | PciRegisters.CommandMemory | PciRegisters.CommandBusMaster
            | PciRegisters.CommandSerr | PciRegisters.CommandInterruptDisable);
        // Status: error bits are write-one-to-clear.
        Config.SetWriteOneToClear(PciRegisters.Status, 2, 0xF900);
        Config.SetWritable(PciRegisters.CacheLineSize, 1, 0xFF);
        Config.SetWritable(PciRegisters.LatencyTimer, 1, 0xFF);
        Config.SetWritable(PciRegisters.InterruptLine, 1, 0xFF);
    }

    public PciConfigSpace Config { get; }

    public bool IsExpress { get; }

    public PciBus? Bus { get; private set; }

    public PciAddress Address { get; private set; }

    protected object ConfigLock { get; } = new();

    public IReadOnlyList<PciBar?> Bars => _bars;

    /// <summary>Capabilities with behaviour of their own (MSI, MSI-X), in the order they were added.</summary>
    public IReadOnlyList<PciCapability> Capabilities => _capabilities;

    public ushort VendorId => Config.GetWord(PciRegisters.VendorId);

    public ushort DeviceId => Config.GetWord(PciRegisters.DeviceId);

    public uint ClassCode => Config.Read(PciRegisters.ClassProg, 3);

    public ushort Command => Config.GetWord(PciRegisters.Command);

    public bool BusMasterEnabled => (Command & PciRegisters.CommandBusMaster) != 0;

    /// <summary>Short description for listings (info pci).</summary>
    public virtual string Description => Type.Description;

    protected void SetIdentity(ushort vendor, ushort device, uint classCode, byte revision = 0, ushort subsystemVendor = 0, ushort subsystem = 0)
    {
        Config.SetWord(PciRegisters.VendorId, vendor);
        Config.SetWord(PciRegisters.DeviceId, device);
        Config.SetByte(PciRegisters.RevisionId, revision);
        Config.SetByte(PciRegisters.ClassProg, (byte)classCode);
        Config.SetWord(PciRegisters.ClassDevice, (ushort)(classCode >> 8));
        Config.SetWord(PciRegisters.SubsystemVendorId, subsystemVendor);
        Config.SetWord(PciRegisters.SubsystemId, subsystem);
    }

    /// <summary>Declares INTx pin 1..4 (INTA#..INTD#).</summary>
    protected void SetInterruptPin(int pin)
    {
        if (pin is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(pin));
        Config.SetByte(PciRegisters.InterruptPin, (byte)pin);
    }

    /// <summary>Declares a BAR. Sizes are powers of two (at least 16 bytes for memory, 4 for I/O).</summary>
    protected PciBar AddBar(int index, PciBarKind kind, ulong size, MemoryRegion region, bool prefetchable = false)
    {
        if (index is < 0 or > 5 || (kind == PciBarKind.Memory64 && index == 5))
            throw new ArgumentOutOfRangeException(nameof(index));
        if (_bars[index] != null || (index > 0 && _bars[index - 1]?.Kind == PciBarKind.Memory64))
            throw new InvalidOperationException($"BAR {index} of {this} is taken");
        ulong minimum = kind == PciBarKind.Io ? 4UL : 16UL;
        if (size < minimum || (size & (size - 1)) != 0 || (kind == PciBarKind.Io && size > 0x10000) || (kind == PciBarKind.Memory32 && size > 0x8000_0000))
            throw new ArgumentOutOfRangeException(nameof(size), $"BAR {index} size 0x{size:x} is not valid for {kind}");
        var bar = new PciBar(index, kind, size, prefetchable, region);
        _bars[index] = bar;
        int offset = PciRegisters.Bar0 + index * 4;
        Config.SetDword(offset, bar.TypeBits);
        ulong mask = ~(size - 1);
        Config.SetWritable(offset, 4, (uint)mask & (kind == PciBarKind.Io ? 0xFFFF_FFFCu : 0xFFFF_FFF0u));
        if (kind == PciBarKind.Memory64)
            Config.SetWritable(offset + 4, 4, (uint)(mask >> 32));
        return bar;
    }

    /// <summary>Appends a capability of <paramref name="length"/> bytes (header included) and returns its offset.</summary>
    protected int AddCapability(byte id, int length)
    {
        int offset = (_nextCapability + 3) & ~3;
        if (offset + length > 0x100)
            throw new InvalidOperationException($"no room for capability 0x{id:x2} in {this}");
        Config.SetByte(offset, id);
        Config.SetByte(offset + 1, 0);
        if (_lastCapability == 0)
            Config.SetByte(PciRegisters.CapabilitiesPointer, (byte)offset);
        else
            Config.SetByte(_lastCapability + 1, (byte)offset);
        Config.SetWord(PciRegisters.Status, (ushort)(Config.GetWord(PciRegisters.Status) | PciRegisters.StatusCapabilities));
        _lastCapability = offset;
        _nextCapability = offset + length;
        return offset;
    }

    /// <summary>Appends a capability component (MSI, MSI-X...) that lays out and serves its own registers.</summary>
    protected T AddCapability<T>(T capability) where T : PciCapability
    {
        int offset = AddCapability(capability.Id, capability.Length);
        capability.Attach(this, offset);
        _capabilities.Add(capability);
        return capability;
    }

    /// <summary>
    /// Serves a capability that is already linked into the chain at
    /// <paramref name="offset"/> with a component (a passthrough function keeps
    /// its device's capability layout; the VMM emulates some of them).
    /// </summary>
    protected T AttachCapability<T>(T capability, int offset) where T : PciCapability
    {
        if (offset < PciRegisters.FirstCapability || offset + capability.Length > Config.Size)
            throw new ArgumentOutOfRangeException(nameof(offset), $"capability 0x{capability.Id:x2} at 0x{offset:x} does not fit config space");
        capability.Attach(this, offset);
        _capabilities.Add(capability);
        return capability;
    }

    /// <summary>Appends a PCI Express extended capability (in the 4 KiB space) and returns its offset.</summary>
    protected int AddExtendedCapability(ushort id, byte version, int length)
    {
        if (!IsExpress)
            throw new InvalidOperationException($"{this} is not PCI Express");
        int offset = (_nextExtendedCapability + 3) & ~3;
        if (offset + length > 0x1000)
            throw new InvalidOperationException($"no room for extended capability 0x{id:x4} in {this}");
        Config.SetDword(offset, id | ((uint)version << 16));
        if (_lastExtendedCapability != 0)
        {
            uint previous = Config.GetDword(_lastExtendedCapability);
            Config.SetDword(_lastExtendedCapability, (previous & 0x000F_FFFF) | ((uint)offset << 20));
        }
        _lastExtendedCapability = offset;
        _nextExtendedCapability = offset + length;
        return offset;
    }

    /// <summary>A config read from the guest (1, 2 or 4 bytes, naturally aligned).</summary>
    public uint ReadConfig(int offset, int length)
    {
        BeforeConfigRead(offset, length);
        uint value;
        lock (ConfigLock)
        {
            value = OnReadConfig(offset, length);
            foreach (PciCapability capability in _capabilities)
            {
                if (offset < capability.Offset + capability.Length && offset + length > capability.Offset)
                    value = capability.ComposeRead(offset, length, value);
            }
        }
        // Status bit 3, Interrupt Status: the pin's level, whatever the interrupt-disable bit says.
        const int statusLow = PciRegisters.Status;
        if (_intxLevel && offset <= statusLow && offset + length > statusLow)
            value |= (uint)PciRegisters.StatusInterrupt << (8 * (statusLow - offset));
        return value;
    }

    /// <summary>A config write from the guest.</summary>
    public void WriteConfig(int offset, int length, uint value)
    {
        lock (ConfigLock)
        {
            ushort oldCommand = Command;
            OnWriteConfig(offset, length, value);
            foreach (PciCapability capability in _capabilities)
            {
                if (offset < capability.Offset + capability.Length && offset + length > capability.Offset)
                    capability.ConfigWritten(Config, offset, length);
            }
            bool touchesBars = offset < PciRegisters.Bar0 + 24 && offset + length > PciRegisters.Bar0;
            bool touchesCommand = offset < PciRegisters.Command + 2 && offset + length > PciRegisters.Command;
            if (touchesBars || (touchesCommand && ((oldCommand ^ Command) & (PciRegisters.CommandIo | PciRegisters.CommandMemory)) != 0))
                UpdateBarMappings();
            if (touchesCommand && ((oldCommand ^ Command) & PciRegisters.CommandInterruptDisable) != 0)
                UpdateIntxDisable();
        }
        AfterConfigWrite(offset, length);
    }

    /// <summary>Reads config space; override to emulate registers with side effects (called with the config lock held).</summary>
    protected virtual uint OnReadConfig(int offset, int length) => Config.Read(offset, length);

    /// <summary>Writes config space through the masks; override to react to capability registers (called with the config lock held).</summary>
    protected virtual void OnWriteConfig(int offset, int length, uint value) => Config.Write(offset, length, value);

    /// <summary>
    /// Before a config read takes the config lock, without any lock held: a
    /// function whose config registers are a window onto other state (a BAR)
    /// fetches that state here and stores it in config space.
    /// </summary>
    protected virtual void BeforeConfigRead(int offset, int length)
    {
    }

    /// <summary>
    /// After a config write has been applied and the config lock released: a
    /// function that forwards the write elsewhere (a window onto a BAR) does it
    /// here, free to take the device model's locks and to wait for its threads.
    /// </summary>
    protected virtual void AfterConfigWrite(int offset, int length)
    {
    }

    /// <summary>Where the guest has programmed BAR <paramref name="index"/>, if decoding is on and the address is usable.</summary>
    public ulong? DecodedBarAddress(int index)
    {
        PciBar? bar = _bars[index];
        if (bar == null)
            return null;
        ushort command = Command;
        bool enabled = bar.Kind == PciBarKind.Io ? (command & PciRegisters.CommandIo) != 0 : (command & PciRegisters.CommandMemory) != 0;
        if (!enabled)
            return null;
        int offset = PciRegisters.Bar0 + index * 4;
        ulong address = Config.GetDword(offset) & (bar.Kind == PciBarKind.Io ? 0xFFFF_FFFCu : 0xFFFF_FFF0u);
        if (bar.Kind == PciBarKind.Memory64)
            address |= (ulong)Config.GetDword(offset + 4) << 32;
        ulong last = address + bar.Size - 1;
        ulong limit = bar.Kind == PciBarKind.Io ? 0xFFFF : bar.Kind == PciBarKind.Memory32 ? 0xFFFF_FFFF : ulong.MaxValue;
        // 0 means unprogrammed; a window that wraps, or reaches the last
        // address of its space, is a sizing probe (all ones written) or
        // garbage: not decoded.
        if (address == 0 || last < address || last >= limit)
            return null;
        return address;
    }

    /// <summary>Programs a BAR address as firmware would (used by the VMM's BAR placement).</summary>
    public void AssignBarAddress(int index, ulong address)
    {
        PciBar bar = _bars[index] ?? throw new ArgumentOutOfRangeException(nameof(index));
        lock (ConfigLock)
        {
            int offset = PciRegisters.Bar0 + index * 4;
            Config.SetDword(offset, (uint)address | bar.TypeBits);
            if (bar.Kind == PciBarKind.Memory64)
                Config.SetDword(offset + 4, (uint)(address >> 32));
            UpdateBarMappings();
        }
    }

    /// <summary>Sets command register bits as firmware would.</summary>
    public void EnableDecoding(ushort bits)
    {
        lock (ConfigLock)
        {
            Config.SetWord(PciRegisters.Command, (ushort)(Command | bits));
            UpdateBarMappings();
        }
    }

    private void UpdateBarMappings()
    {
        PciBus? bus = Bus;
        if (bus == null)
            return;
        using (bus.Topology.BeginTransaction())
        {
            for (int i = 0; i < _bars.Length; i++)
            {
                PciBar? bar = _bars[i];
                if (bar == null)
                    continue;
                ulong? address = DecodedBarAddress(i);
                if (address == bar.MappedAddress)
                    continue;
                MemoryRegion container = bar.Kind == PciBarKind.Io ? bus.IoWindow : bus.MemoryWindow;
                if (bar.MappedAddress != null)
                    container.RemoveSubregion(bar.Region);
                bar.MappedAddress = address;
                if (address != null)
                    container.AddSubregion(bar.Region, address.Value);
                OnBarMapped(bar);
            }
        }
    }

    /// <summary>Called after a BAR moved or (un)mapped (e.g. to move ioeventfds with it).</summary>
    protected virtual void OnBarMapped(PciBar bar)
    {
    }

    /// <summary>
    /// Drives the INTx pin; respects the command register's interrupt-disable
    /// bit. Callable from any thread (device workers) and with no lock or the
    /// config lock held; it takes only the INTx lock and the bus's.
    /// </summary>
    public void SetIntx(bool level)
    {
        lock (_intxLock)
        {
            _intxLevel = level;
            DriveIntx();
        }
    }

    // Config lock held: the interrupt-disable bit changed.
    private void UpdateIntxDisable()
    {
        bool disabled = (Command & PciRegisters.CommandInterruptDisable) != 0;
        lock (_intxLock)
        {
            _intxDisabled = disabled;
            DriveIntx();
        }
    }

    // INTx lock held.
    private void DriveIntx()
    {
        PciBus? bus = Bus;
        int pin = Config.GetByte(PciRegisters.InterruptPin);
        if (pin == 0 || bus == null)
            return;
        bus.SetIntx(this, pin, _intxLevel && !_intxDisabled);
    }

    // A malformed addr= is a mistake in the options, found before the board exists.
    protected override void OnCheckConfiguration(Machine machine) => RequestedAddress();

    protected override void OnRealize(Machine machine)
    {
        PciBus bus = (this as IPciBusProvider)?.PciBus
            ?? machine.DevicesOf<IPciBusProvider>().FirstOrDefault()?.PciBus
            ?? throw new MachineConfigurationException($"{this}: the machine has no PCI bus");
        int? devfn = RequestedAddress()?.DevFn;
        RealizePci(machine);
        Address = bus.Plug(this, devfn);
        Bus = bus;
        if (Get(MultifunctionProperty))
            Config.SetByte(PciRegisters.HeaderType, (byte)(Config.GetByte(PciRegisters.HeaderType) | PciRegisters.HeaderTypeMultifunction));
        bus.PlaceBars(this);
    }

    /// <summary>
    /// Where the "addr" property asks for the function to go on bus 0, or null to
    /// take the first free slot; a malformed address is a configuration error.
    /// </summary>
    public PciAddress? RequestedAddress()
    {
        string? addr = Get(AddrProperty);
        if (addr == null)
            return null;
        if (!PciAddress.TryParse(addr, out PciAddress parsed) || parsed.Bus != 0 || parsed.Domain != 0)
            throw new MachineConfigurationException($"{this}: invalid PCI address '{addr}' (expected slot.function such as 04.0)");
        return parsed;
    }

    /// <summary>Sets up identity, BARs and capabilities; called before the function is plugged.</summary>
    protected abstract void RealizePci(Machine machine);

    // The first half of removal: the BARs leave the address spaces, INTx goes
    // low and the function leaves the bus, so config cycles no longer reach it.
    protected override void OnDisconnect() => DetachFromBus();

    /// <summary>
    /// Unmaps the BARs, deasserts INTx and takes the function off its bus.
    /// Afterwards <see cref="Bus"/> is null: a config write that was already
    /// under way cannot map a BAR again, and a worker raising INTx drives
    /// nothing. Nothing is released: vCPUs may still be inside a handler.
    /// </summary>
    protected void DetachFromBus()
    {
        PciBus? bus = Bus;
        if (bus == null)
            return;
        lock (ConfigLock)
        {
            using (bus.Topology.BeginTransaction())
            {
                foreach (PciBar? bar in _bars)
                {
                    if (bar?.MappedAddress != null)
                    {
                        (bar.Kind == PciBarKind.Io ? bus.IoWindow : bus.MemoryWindow).RemoveSubregion(bar.Region);
                        bar.MappedAddress = null;
                        OnBarMapped(bar);
                    }
                }
            }
            lock (_intxLock)
            {
                _intxLevel = false;
                DriveIntx();
                Bus = null;
            }
        }
        bus.Unplug(this);
    }

    /// <summary>Power-on state: decoding off, BARs back where the VMM placed them, INTx low.</summary>
    public override void Reset()
    {
        lock (ConfigLock)
        {
            Config.SetWord(PciRegisters.Command, 0);
            Config.SetWord(PciRegisters.Status, (ushort)(Config.GetWord(PciRegisters.Status) & PciRegisters.StatusCapabilities));
            Config.SetByte(PciRegisters.InterruptLine, 0);
            foreach (PciCapability capability in _capabilities)
                capability.Reset(Config);
            lock (_intxLock)
            {
                _intxLevel = false;
                _intxDisabled = false;
                DriveIntx();
            }
        }
        Bus?.PlaceBars(this);
    }
}
