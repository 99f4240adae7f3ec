using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>A user device with one property, for hotplug through QMP.</summary>
internal sealed class PluggableDevice : Device
{
    public static readonly IntegerProperty Queues = IntegerProperty.UInt16("queues", 1, "number of queues");

    public static new readonly ObjectType TypeInfo = new("test-pluggable", Device.TypeInfo, t => new PluggableDevice(t),
        "a device a test plugs and unplugs", new PropertyInfo[] { Queues }, userCreatable: true);

    public PluggableDevice(ObjectType type) : base(type)
    {
    }

    public int Unrealized { get; private set; }

    protected override void OnRealize(Machine machine)
    {
    }

    protected override void OnUnrealize() => Unrealized++;
}
