using Emu.Core.Migration;

namespace Emu.Devices.Virtio.Net;

// virtio-net migrates its queues through the transport; the tap stays on
// the host (the destination has its own). The one thing of its own is a
// received frame that waits for receive buffers: it moves with the device
// and is delivered on the destination when the driver adds buffers.
public sealed unsafe partial class VirtioNetDevice
{
    public override void SaveDeviceState(StateWriter state) =>
        state.WriteBytes("dev.pending_frame", new ReadOnlySpan<byte>(_frame, _frameLength));

    public override void LoadDeviceState(StateReader state)
    {
        ReadOnlySpan<byte> frame = state.ReadBytes("dev.pending_frame", MaxFrame);
        if (frame.Length is > 0 and < HeaderSize)
            throw new MigrationException($"{state.Section}: the pending frame has {frame.Length} bytes, less than its {HeaderSize}-byte header");
        frame.CopyTo(new Span<byte>(_frame, MaxFrame));
        _frameLength = frame.Length;
    }
}
