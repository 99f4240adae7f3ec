using Emu.Core.Cpu;
using Emu.Core.Objects;

namespace Emu.Host.Tests.Qmp.InProcess;

/// <summary>The fake accelerator as an object of the model.</summary>
internal sealed class FakeAccelObject : AccelObject
{
    public static new readonly ObjectType TypeInfo = new("fake-accel", AccelObject.TypeInfo, t => new FakeAccelObject(t), "runs nothing");

    public FakeAccelObject(ObjectType type) : base(type)
    {
    }

    public override string AccelName => "fake";

    public override IAccelerator Open() => new FakeAccelerator();
}
