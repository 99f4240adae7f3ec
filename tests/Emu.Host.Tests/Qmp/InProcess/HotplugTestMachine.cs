using Emu.Core.Cpu;
using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>A board with no hardware of its own whose user devices can be hot-plugged.</summary>
internal sealed class HotplugTestMachine : Machine
{
    public static new readonly ObjectType TypeInfo = new("test-board", Machine.TypeInfo, t => new HotplugTestMachine(t), "a board for tests");

    public HotplugTestMachine(ObjectType type) : base(type)
    {
    }

    public RecordingHotplugController Hotplug { get; } = new();

    public override IReadOnlyList<GlobalProperty> CompatProperties { get; } = new[]
    {
        new GlobalProperty(PluggableDevice.TypeInfo.Name, PluggableDevice.Queues.Name, "2", "machine test-board"),
    };

    protected override void Build()
    {
    }

    public override void ResetVcpuState(IVcpu vcpu)
    {
    }

    public override IHotplugController? HotplugControllerFor(Device device) => device is PluggableDevice ? Hotplug : null;
}
