using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>The 8042 keyboard controller at ports 0x60 and 0x64, ISA IRQs 1 (keyboard) and 12 (mouse); its reset line resets the machine.</summary>
public sealed partial class IsaI8042 : Device
{
    public const ushort DataPort = 0x60, CommandPort = 0x64;
    public const int KeyboardIrq = 1, AuxIrq = 12;

    public static new readonly ObjectType TypeInfo = new("i8042", Device.TypeInfo, t => new IsaI8042(t), "8042 keyboard controller (no keyboard or mouse attached)");

    private MemoryRegion? _data, _command;

    public IsaI8042(ObjectType type) : base(type)
    {
    }

    public I8042Controller? Controller { get; private set; }

    protected override void OnRealize(Machine machine)
    {
        Controller = new I8042Controller(machine.IrqLine(KeyboardIrq), machine.IrqLine(AuxIrq), () => machine.RequestReset(byGuest: true));
        _data = MemoryRegion.CreateIo("i8042-data", 1, new I8042Port(Controller, command: false));
        _command = MemoryRegion.CreateIo("i8042-cmd", 1, new I8042Port(Controller, command: true));
        machine.IoPorts.Root.AddSubregion(_data, DataPort);
        machine.IoPorts.Root.AddSubregion(_command, CommandPort);
    }

    protected override void OnUnrealize()
    {
        if (_data != null)
            Machine!.IoPorts.Root.RemoveSubregion(_data);
        if (_command != null)
            Machine!.IoPorts.Root.RemoveSubregion(_command);
    }

    public override void Reset() => Controller?.Reset();
}
