using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Core.Tests.Machines;

/// <summary>A board with a PCI bus and nothing else, whose <see cref="ProbePciDevice"/>s can be hot-plugged.</summary>
internal sealed class GraceBoard : Machine
{
    public static new readonly ObjectType TypeInfo = new("grace-board", Machine.TypeInfo, t => new GraceBoard(t), "a board for lifetime tests");

    private InstantHotplug? _hotplug;

    public GraceBoard(ObjectType type) : base(type)
    {
    }

    protected override void Build()
    {
        _hotplug = new InstantHotplug(this);
        AddDevice(CreateDevice<TestHostBridge>(TestHostBridge.TypeInfo), "host-bridge");
    }

    public override void ResetVcpuState(IVcpu vcpu)
    {
    }

    public override IHotplugController? HotplugControllerFor(Device device) => device is ProbePciDevice ? _hotplug : null;
}
