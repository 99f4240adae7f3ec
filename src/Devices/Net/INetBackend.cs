using Emu.Core.Posix;
using Emu.Devices.Block;

namespace Emu.Devices.Net;

/// <summary>
/// Where a network device's frames go and come from (a tap). Every frame
/// starts with the 12-byte virtio-net header. Non-blocking; called on the
/// device's worker thread; must not allocate.
/// </summary>
public unsafe interface INetBackend
{
    /// <summary>Readable when a frame is waiting.</summary>
    FileDescriptor Handle { get; }

    /// <summary>Reads one frame; 0 when none is waiting, -1 on an error.</summary>
    int Read(Span<byte> buffer);

    /// <summary>Sends one frame gathered from <paramref name="iov"/>; false when it was dropped.</summary>
    bool Write(IoVec* iov, int count);
}
