namespace Emu.Devices.Virtio;

/// <summary>
/// A split virtqueue as the migration stream holds it: the driver's
/// configuration (4.1.4.3) and the device's position in the rings
/// (last_avail_idx, the used index, and the EVENT_IDX bookkeeping of the
/// last interrupt). Read and checked as a whole before any of it is applied.
/// </summary>
public readonly record struct SplitQueueState(
    ushort Size,
    ulong DescriptorTable,
    ulong AvailRing,
    ulong UsedRing,
    bool Enabled,
    ushort MsixVector,
    bool Active,
    ushort LastAvail,
    ushort NextUsed,
    ushort SignalledUsed,
    bool SignalledValid);
