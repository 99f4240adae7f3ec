using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;

namespace Emu.Core.Pci;

/// <summary>
/// PCI bus 0: up to 32 slots of 8 functions. It routes configuration cycles,
/// places BARs in the VMM's windows, and wires each slot's INTx pins to
/// interrupt lines (shared lines are wired-OR).
/// </summary>
public sealed class PciBus
{
    // QEMU's q35 puts 64-bit BARs above 4 GiB only when they are large; small
    // ones fit below, where 32-bit code (and our firmware's 4 GiB identity map) reaches them.
    private const ulong HighBarThreshold = 64UL << 20;

    private readonly PciDevice?[] _functions = new PciDevice?[256];
    private readonly Dictionary<PciDevice, Dictionary<int, ulong>> _placements = new();
    private readonly Dictionary<IIrqLine, int> _lineAsserts = new();
    private readonly HashSet<(PciDevice, int)> _assertedPins = new();
    private readonly object _lock = new();

    public PciBus(MemoryTopology topology, MemoryRegion memoryWindow, MemoryRegion ioWindow, PciWindow mmio32, PciWindow? mmio64, PciWindow io)
    {
        Topology = topology;
        MemoryWindow = memoryWindow;
        IoWindow = ioWindow;
        Mmio32 = mmio32;
        Mmio64 = mmio64;
        Io = io;
    }

    public MemoryTopology Topology { get; }

    /// <summary>The container memory BARs are mapped into (addresses are guest-physical).</summary>
    public MemoryRegion MemoryWindow { get; }

    /// <summary>The container I/O BARs are mapped into (addresses are ports).</summary>
    public MemoryRegion IoWindow { get; }

    public PciWindow Mmio32 { get; }

    public PciWindow? Mmio64 { get; }

    public PciWindow Io { get; }

    /// <summary>Maps (slot, pin 1..4) to the interrupt line the board wires it to.</summary>
    public Func<int, int, IIrqLine> IntxRouting { get; set; } = (_, _) => NullIrqLine.Instance;

    public IEnumerable<PciDevice> Devices
    {
        get
        {
            lock (_lock)
                return _functions.Where(f => f != null).Select(f => f!).ToArray();
        }
    }

    public PciDevice? Find(int devfn)
    {
        if ((uint)devfn >= 256)
            return null;
        return Volatile.Read(ref _functions[devfn]);
    }

    /// <summary>Puts a function at <paramref name="devfn"/>, or in the first free slot (function 0).</summary>
    public PciAddress Plug(PciDevice device, int? devfn)
    {
        lock (_lock)
        {
            int chosen;
            if (devfn is int requested)
            {
                if (_functions[requested] is PciDevice other)
                    throw new MachineConfigurationException($"PCI: slot {requested >> 3} function {requested & 7} not available for {device.Type.Name}, in use by {other.Type.Name}");
                chosen = requested;
            }
            else
            {
                chosen = -1;
                for (int slot = 0; slot < 32 && chosen < 0; slot++)
                {
                    if (SlotIsFree(slot))
                        chosen = slot << 3;
                }
                if (chosen < 0)
                    throw new MachineConfigurationException($"PCI: no free slot for {device.Type.Name}");
            }
            Volatile.Write(ref _functions[chosen], device);
            return PciAddress.FromDevFn(0, chosen);
        }
    }

    /// <summary>No function of <paramref name="slot"/> (0-31) is plugged.</summary>
    public bool IsSlotFree(int slot)
    {
        lock (_lock)
            return SlotIsFree(slot);
    }

    private bool SlotIsFree(int slot)
    {
        for (int f = 0; f < 8; f++)
        {
            if (_functions[(slot << 3) | f] != null)
                return false;
        }
        return true;
    }

    public void Unplug(PciDevice device)
    {
        lock (_lock)
        {
            int devfn = device.Address.DevFn;
            if (ReferenceEquals(_functions[devfn], device))
                Volatile.Write(ref _functions[devfn], null);
            if (_placements.Remove(device, out var placements))
            {
                foreach ((int index, ulong address) in placements)
                    WindowFor(device.Bars[index]!)?.Free(address);
            }
        }
    }

    /// <summary>
    /// Gives each BAR of the function an address in the right window, as
    /// firmware would; the same addresses again after a reset.
    /// </summary>
    public void PlaceBars(PciDevice device)
    {
        Dictionary<int, ulong> placements;
        lock (_lock)
        {
            if (!_placements.TryGetValue(device, out placements!))
            {
                placements = new Dictionary<int, ulong>();
                // Largest first keeps the windows dense.
                foreach (PciBar bar in device.Bars.Where(b => b != null).Select(b => b!).OrderByDescending(b => b.Size))
                {
                    PciWindow? window = WindowFor(bar);
                    if (window == null || !window.TryAllocate(bar.Size, out ulong address))
                        throw new MachineConfigurationException($"PCI: no room for BAR {bar.Index} (0x{bar.Size:x} bytes) of {device.Type.Name}");
                    placements[bar.Index] = address;
                }
                _placements[device] = placements;
            }
        }
        foreach ((int index, ulong address) in placements)
            device.AssignBarAddress(index, address);
    }

    private PciWindow? WindowFor(PciBar bar) => bar.Kind switch
    {
        PciBarKind.Io => Io,
        PciBarKind.Memory64 when bar.Size > HighBarThreshold && Mmio64 != null => Mmio64,
        _ => Mmio32,
    };

    /// <summary>A configuration read of bus 0; absent functions read as all ones.</summary>
    public uint ReadConfig(int bus, int devfn, int offset, int length)
    {
        PciDevice? device = bus == 0 ? Find(devfn) : null;
        if (device == null || offset + length > device.Config.Size)
            return length == 4 ? 0xFFFF_FFFF : (1u << (8 * length)) - 1;
        return device.ReadConfig(offset, length);
    }

    public void WriteConfig(int bus, int devfn, int offset, int length, uint value)
    {
        PciDevice? device = bus == 0 ? Find(devfn) : null;
        if (device == null || offset + length > device.Config.Size)
            return;
        device.WriteConfig(offset, length, value);
    }

    internal void SetIntx(PciDevice device, int pin, bool asserted)
    {
        IIrqLine line = IntxRouting(device.Address.Device, pin);
        bool level;
        lock (_lock)
        {
            bool was = _assertedPins.Contains((device, pin));
            if (was == asserted)
                return;
            if (asserted)
                _assertedPins.Add((device, pin));
            else
                _assertedPins.Remove((device, pin));
            int count = _lineAsserts.GetValueOrDefault(line) + (asserted ? 1 : -1);
            _lineAsserts[line] = count;
            level = count > 0;
        }
        line.Set(level);
    }
}
