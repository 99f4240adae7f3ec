using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;

namespace Emu.Devices.Pc;

/// <summary>The PC's CMOS clock and RAM at ports 0x70-0x71, ISA IRQ 8 (QEMU's mc146818rtc).</summary>
public sealed partial class IsaRtc : Device
{
    public const ushort IoBase = 0x70;
    public const int Irq = 8;

    public static new readonly ObjectType TypeInfo = new("mc146818rtc", Device.TypeInfo, t => new IsaRtc(t), "MC146818 CMOS real-time clock and RAM");

    private MemoryRegion? _region;

    public IsaRtc(ObjectType type) : base(type)
    {
    }

    public Mc146818Rtc? Rtc { get; private set; }

    protected override void OnRealize(Machine machine)
    {
        Rtc = new Mc146818Rtc(machine.IrqLine(Irq));
        _region = MemoryRegion.CreateIo("rtc", Mc146818Rtc.Size, Rtc);
        machine.IoPorts.Root.AddSubregion(_region, IoBase);
    }

    protected override void OnUnrealize()
    {
        if (_region != null)
            Machine!.IoPorts.Root.RemoveSubregion(_region);
        Rtc?.Dispose();
    }

    public override void Reset() => Rtc?.Reset();
}
