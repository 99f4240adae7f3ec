using Emu.Core.Objects;
using ChardevBase = Emu.Devices.Chardev.Chardev;

namespace Emu.Devices.Tests.Chardev;

/// <summary>A backend that uses the base class's output queue and discards what its writer thread gets.</summary>
internal sealed class NullChardevWithOutput : ChardevBase
{
    private static readonly ObjectType s_type = new("chardev-discard-queued", ChardevBase.TypeInfo, t => new NullChardevWithOutput(t), "test");

    private NullChardevWithOutput(ObjectType type) : base(type)
    {
    }

    public static ChardevBase Create() => new NullChardevWithOutput(s_type);

    protected override bool WriteOut(ReadOnlySpan<byte> data) => true;
}
