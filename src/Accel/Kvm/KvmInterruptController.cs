using Emu.Accel.Kvm.Interop;
using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// KVM's in-kernel PIC, IOAPIC and local APICs. The GSI routing table is
/// owned here and rewritten whole on every change: GSIs 0-23 go to the
/// interrupt controller pins the way a PC wires them (ISA IRQ 0, the timer, to
/// IOAPIC pin 2, matching the MADT's interrupt source override), and GSIs from
/// 24 up carry MSI messages for irqfds.
/// </summary>
internal sealed unsafe class KvmInterruptController : IInterruptController
{
    public const int PicMaster = 0, PicSlave = 1, IoApic = 2;
    private const int FirstMsiGsi = 24;

    private readonly FileDescriptor _vm;
    private readonly KvmIrqLine[] _lines;
    private readonly object _lock = new();
    private readonly SortedDictionary<int, KvmMsiRoute> _routes = new();
    private readonly int _maxRoutes;

    public KvmInterruptController(FileDescriptor vm, int maxRoutes)
    {
        _vm = vm;
        _maxRoutes = maxRoutes;
        _lines = new KvmIrqLine[IoApicPins];
        for (int i = 0; i < _lines.Length; i++)
            _lines[i] = new KvmIrqLine(vm, i);
        CommitRoutes();
    }

    public bool SupportsIrqFd => true;

    public int IoApicPins => 24;

    public IIrqLine GetLine(int gsi)
    {
        if ((uint)gsi >= (uint)_lines.Length)
            throw new ArgumentOutOfRangeException(nameof(gsi), $"GSI {gsi} is not an interrupt controller pin");
        return _lines[gsi];
    }

    public void SignalMsi(MsiMessage message)
    {
        var msi = new KvmMsi { AddressLo = (uint)message.Address, AddressHi = (uint)(message.Address >> 32), Data = message.Data };
        KvmApi.SignalMsi(_vm, msi);
    }

    public IMsiRoute AddMsiRoute(MsiMessage message)
    {
        lock (_lock)
        {
            int gsi = FirstMsiGsi;
            foreach (int used in _routes.Keys)
            {
                if (used != gsi)
                    break;
                gsi++;
            }
            if (gsi >= _maxRoutes)
                throw new InvalidOperationException($"out of GSIs for MSI routes ({_maxRoutes})");
            var route = new KvmMsiRoute(this, gsi, message);
            _routes.Add(gsi, route);
            CommitRoutes();
            return route;
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null) => new KvmIrqFdBinding(_vm, trigger, gsi, resample);

    internal void RemoveRoute(KvmMsiRoute route)
    {
        lock (_lock)
        {
            if (_routes.Remove(route.Gsi) && !_vm.IsClosed)
                CommitRoutes();
        }
    }

    /// <summary>Writes the whole routing table to KVM.</summary>
    internal void CommitRoutes()
    {
        lock (_lock)
        {
            var entries = new List<KvmIrqRoutingEntry>(48 + _routes.Count);
            for (int irq = 0; irq < 16; irq++)
            {
                if (irq != 2) // IRQ 2 is the cascade from the slave PIC
                    entries.Add(Irqchip(irq, irq < 8 ? PicMaster : PicSlave, irq % 8));
            }
            for (int pin = 0; pin < IoApicPins; pin++)
            {
                if (pin == 0)
                    entries.Add(Irqchip(0, IoApic, 2));
                else if (pin != 2)
                    entries.Add(Irqchip(pin, IoApic, pin));
            }
            foreach (KvmMsiRoute route in _routes.Values)
            {
                entries.Add(new KvmIrqRoutingEntry
                {
                    Gsi = (uint)route.Gsi,
                    Type = KvmIrqRoutingEntry.TypeMsi,
                    MsiAddressLo = (uint)route.Message.Address,
                    MsiAddressHi = (uint)(route.Message.Address >> 32),
                    MsiData = route.Message.Data,
                });
            }
            int size = sizeof(KvmIrqRoutingHeader) + entries.Count * sizeof(KvmIrqRoutingEntry);
            byte[] buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                var header = (KvmIrqRoutingHeader*)p;
                header->Nr = (uint)entries.Count;
                var table = (KvmIrqRoutingEntry*)(p + sizeof(KvmIrqRoutingHeader));
                for (int i = 0; i < entries.Count; i++)
                    table[i] = entries[i];
                KvmApi.SetGsiRouting(_vm, p);
            }
        }
    }

    private static KvmIrqRoutingEntry Irqchip(int gsi, int chip, int pin) => new()
    {
        Gsi = (uint)gsi,
        Type = KvmIrqRoutingEntry.TypeIrqchip,
        IrqchipChip = (uint)chip,
        IrqchipPin = (uint)pin,
    };
}
