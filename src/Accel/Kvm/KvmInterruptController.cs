using Emu.Accel.Kvm.Interop;
using Emu.Core.Interrupts;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// KVM's in-kernel PIC, IOAPIC and local APICs. The GSI routing table is
/// owned here (<see cref="KvmGsiRoutingTable"/>): GSIs 0-23 go to the
/// interrupt controller pins the way a PC wires them (ISA IRQ 0, the timer, to
/// IOAPIC pin 2, matching the MADT's interrupt source override), and GSIs from
/// 24 up carry MSI messages for irqfds. A route is added, changed or removed
/// in the one table and the table handed to KVM again (KVM has no call for a
/// single entry); nothing is allocated for that, so a guest reprogramming a
/// vector costs one ioctl. Running out of GSIs throws
/// <see cref="InterruptRoutesExhaustedException"/>, which the vector's router
/// turns into a vector without a route: the VM runs on. The table's buffer
/// is freed with the VM; routes released after that (a device unplugged
/// late) only leave the bookkeeping, the VM's table went with the VM.
/// </summary>
internal sealed unsafe class KvmInterruptController : IInterruptController, IDisposable
{
    public const int PicMaster = 0, PicSlave = 1, IoApic = 2;
    private const int FirstMsiGsi = 24;

    private readonly FileDescriptor _vm;
    private readonly KvmIrqLine[] _lines;
    private readonly object _lock = new();
    private readonly KvmGsiRoutingTable _table;
    private readonly KvmMsiRoute?[] _byGsi;
    private readonly KvmMsiRoute?[] _byIndex;
    private bool _disposed;

    public KvmInterruptController(FileDescriptor vm, int maxRoutes)
    {
        _vm = vm;
        _lines = new KvmIrqLine[IoApicPins];
        for (int i = 0; i < _lines.Length; i++)
            _lines[i] = new KvmIrqLine(vm, i);
        _table = new KvmGsiRoutingTable(maxRoutes);
        _byGsi = new KvmMsiRoute?[maxRoutes];
        _byIndex = new KvmMsiRoute?[maxRoutes];
        for (int irq = 0; irq < 16; irq++)
        {
            if (irq != 2) // IRQ 2 is the cascade from the slave PIC
                _table.Add(Irqchip(irq, irq < 8 ? PicMaster : PicSlave, irq % 8));
        }
        for (int pin = 0; pin < IoApicPins; pin++)
        {
            if (pin == 0)
                _table.Add(Irqchip(0, IoApic, 2));
            else if (pin != 2)
                _table.Add(Irqchip(pin, IoApic, pin));
        }
        try
        {
            Commit();
        }
        catch
        {
            _table.Dispose();
            throw;
        }
    }

    public bool SupportsIrqFd => true;

    public int IoApicPins => 24;

    /// <summary>MSI routes in use.</summary>
    public int MsiRoutes
    {
        get
        {
            lock (_lock)
                return _byGsi.Count(r => r != null);
        }
    }

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
            ObjectDisposedException.ThrowIf(_disposed, this);
            int gsi = Array.IndexOf(_byGsi, null, FirstMsiGsi);
            if (gsi < 0 || _table.Count == _table.Capacity)
                throw new InterruptRoutesExhaustedException(_byGsi.Length);
            var route = new KvmMsiRoute(this, gsi, message);
            int index = _table.Add(Msi(gsi, message));
            try
            {
                Commit();
            }
            catch
            {
                _table.RemoveAt(index);
                throw;
            }
            route.Index = index;
            _byGsi[gsi] = route;
            _byIndex[index] = route;
            return route;
        }
    }

    public IDisposable AddIrqFd(EventFd trigger, int gsi, EventFd? resample = null) => new KvmIrqFdBinding(_vm, trigger, gsi, resample);

    // A vector got a new message: its entry changes in place.
    internal void UpdateRoute(KvmMsiRoute route, MsiMessage message)
    {
        lock (_lock)
        {
            if (_disposed || !ReferenceEquals(_byGsi[route.Gsi], route))
                return;
            KvmIrqRoutingEntry previous = _table[route.Index];
            _table[route.Index] = Msi(route.Gsi, message);
            try
            {
                Commit();
            }
            catch
            {
                _table[route.Index] = previous; // the table stays what KVM has
                throw;
            }
        }
    }

    internal void RemoveRoute(KvmMsiRoute route)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_byGsi[route.Gsi], route))
                return;
            _byGsi[route.Gsi] = null;
            if (_disposed)
                return;
            _byIndex[route.Index] = null;
            int moved = _table.RemoveAt(route.Index);
            if (moved >= 0)
            {
                KvmMsiRoute movedRoute = _byIndex[moved]!;
                _byIndex[moved] = null;
                _byIndex[route.Index] = movedRoute;
                movedRoute.Index = route.Index;
            }
            if (!_vm.IsClosed)
                Commit();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _table.Dispose();
        }
    }

    // Hands the table to KVM (lock held, or in the constructor).
    private void Commit() => KvmApi.SetGsiRouting(_vm, _table.Pointer);

    private static KvmIrqRoutingEntry Msi(int gsi, MsiMessage message) => new()
    {
        Gsi = (uint)gsi,
        Type = KvmIrqRoutingEntry.TypeMsi,
        MsiAddressLo = (uint)message.Address,
        MsiAddressHi = (uint)(message.Address >> 32),
        MsiData = message.Data,
    };

    private static KvmIrqRoutingEntry Irqchip(int gsi, int chip, int pin) => new()
    {
        Gsi = (uint)gsi,
        Type = KvmIrqRoutingEntry.TypeIrqchip,
        IrqchipChip = (uint)chip,
        IrqchipPin = (uint)pin,
    };
}
