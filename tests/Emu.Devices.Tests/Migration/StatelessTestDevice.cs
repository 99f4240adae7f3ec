using Emu.Core.Machines;
using Emu.Core.Objects;

namespace Emu.Devices.Tests.Migration;

/// <summary>A device whose author wrote no save or load: it blocks migration by default.</summary>
internal sealed class StatelessTestDevice : Device
{
    public static new readonly ObjectType TypeInfo = new("test-unmigratable", Device.TypeInfo, t => new StatelessTestDevice(t), "A device without migration support");

    public StatelessTestDevice(ObjectType type) : base(type)
    {
    }

    protected override void OnRealize(Machine machine)
    {
    }
}
