using Emu.Core.Objects;
using ChardevBase = Emu.Devices.Chardev.Chardev;

namespace Emu.Devices.Tests.Serial;

/// <summary>A character backend that keeps what the device wrote and lets a test feed input.</summary>
internal sealed class CapturingChardev : ChardevBase
{
    private static readonly ObjectType s_type = new("chardev-capture", ChardevBase.TypeInfo, t => new CapturingChardev(t), "test");

    private CapturingChardev(ObjectType type) : base(type)
    {
    }

    public static CapturingChardev Create() => new(s_type);

    public List<byte> Output { get; } = new();

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (Output)
            Output.AddRange(data.ToArray());
    }

    /// <summary>Delivers input the way a backend's input thread does (blocking while the device is full).</summary>
    public bool Feed(byte[] data) => DeliverAll(data);
}
