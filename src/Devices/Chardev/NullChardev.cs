using Emu.Core.Objects;

namespace Emu.Devices.Chardev;

/// <summary>Discards output, never produces input.</summary>
public sealed class NullChardev : Chardev
{
    public static new readonly ObjectType TypeInfo = new("chardev-null", Chardev.TypeInfo, t => new NullChardev(t), "Discard output, no input", userCreatable: true);

    public NullChardev(ObjectType type) : base(type)
    {
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
    }
}
