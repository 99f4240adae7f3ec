using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Devices.Serial;

/// <summary>An ISA 16550A serial port (COM1 at 0x3F8, IRQ 4 by default) on a character backend.</summary>
public sealed partial class IsaSerial : Device
{
    public static readonly IntegerProperty IoBaseProperty = IntegerProperty.UInt16("iobase", 0x3F8, "I/O port base");
    public static readonly IntegerProperty IrqProperty = new("irq", 4, 0, 15, "ISA interrupt line");
    public static readonly LinkProperty ChardevProperty = new("chardev", "chardev", "Character backend for the port's data");

    public static readonly BoolProperty MigrateReceiveFifoProperty = new("x-migrate-rx-fifo", true,
        "Send the bytes in the receive FIFO with the migration stream (off in q35-1.0, whose stream has no such field)");

    public static new readonly ObjectType TypeInfo = new("isa-serial", Device.TypeInfo, t => new IsaSerial(t), "16550A UART on the ISA bus",
        new PropertyInfo[] { IoBaseProperty, IrqProperty, ChardevProperty, MigrateReceiveFifoProperty }, userCreatable: true);

    private MemoryRegion? _region;

    public IsaSerial(ObjectType type) : base(type)
    {
    }

    public Uart16550? Uart { get; private set; }

    public Chardev.Chardev? Backend { get; private set; }

    protected override void OnCheckConfiguration(Machine machine) => ResolveChardev(machine);

    private Chardev.Chardev? ResolveChardev(Machine machine) =>
        Get(ChardevProperty) is { } id ? machine.ResolveBackend<Chardev.Chardev>(id, "chardev", this) : null;

    protected override void OnRealize(Machine machine)
    {
        Uart = new Uart16550(machine.IrqLine((int)Get(IrqProperty)));
        _region = MemoryRegion.CreateIo($"serial@{Get(IoBaseProperty):x}", 8, Uart);
        machine.IoPorts.Root.AddSubregion(_region, (ulong)Get(IoBaseProperty));
        Backend = ResolveChardev(machine);
        if (Backend != null)
            Uart.Connect(Backend);
    }

    protected override void OnUnrealize()
    {
        Uart?.Disconnect();
        if (_region != null)
            Machine!.IoPorts.Root.RemoveSubregion(_region);
    }

    public override void Reset() => Uart?.Reset();
}
