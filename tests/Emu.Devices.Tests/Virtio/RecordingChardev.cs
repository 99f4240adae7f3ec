using Emu.Core.Objects;

namespace Emu.Devices.Tests.Virtio;

/// <summary>A character backend that keeps what the guest wrote and can push input.</summary>
internal sealed class RecordingChardev : global::Emu.Devices.Chardev.Chardev
{
    public static new readonly ObjectType TypeInfo = new("chardev-recording", global::Emu.Devices.Chardev.Chardev.TypeInfo, t => new RecordingChardev(t), "test");

    private readonly List<byte> _written = new();

    public RecordingChardev(ObjectType type) : base(type)
    {
    }

    public static RecordingChardev Create() => (RecordingChardev)TypeInfo.CreateInstance();

    public byte[] Written
    {
        get
        {
            lock (_written)
                return _written.ToArray();
        }
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        lock (_written)
            _written.AddRange(data.ToArray());
    }

    /// <summary>Offers input to the device as the backend's input thread would; returns how much it took.</summary>
    public int Offer(ReadOnlySpan<byte> data) => Frontend!.Receive(data);
}
