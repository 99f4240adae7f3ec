using Emu.Core.Migration;

namespace Emu.Devices.Virtio;

// A queue's state in the migration stream. The device has completed every
// chain it took before the state is saved (the transport drains it), so on
// the destination the queue goes on from the saved indices: chains the
// driver made available meanwhile are taken from last_avail_idx on.
public sealed unsafe partial class SplitQueue
{
    internal void SaveState(StateWriter state, string prefix)
    {
        state.WriteU16(prefix + "size", Size);
        state.WriteU64(prefix + "desc", DescriptorTable);
        state.WriteU64(prefix + "avail", AvailRing);
        state.WriteU64(prefix + "used", UsedRing);
        state.WriteBool(prefix + "enabled", Enabled);
        state.WriteU16(prefix + "vector", MsixVector);
        state.WriteBool(prefix + "active", IsActive);
        state.WriteU16(prefix + "last_avail_idx", _lastAvail);
        state.WriteU16(prefix + "used_idx", _nextUsed);
        state.WriteU16(prefix + "signalled_used", _signalledUsed);
        state.WriteBool(prefix + "signalled_valid", _signalledValid);
    }

    /// <summary>
    /// Reads a queue's fields and checks what holds whatever the device
    /// status: the vector is NO_VECTOR or one of the <paramref name="vectorCount"/>
    /// table entries (the transport never accepts another). The size and the
    /// ring addresses are what the driver wrote; they are checked when the queue
    /// serves (<see cref="CheckLive"/>), as the device checks them at DRIVER_OK.
    /// </summary>
    internal SplitQueueState ReadState(StateReader state, string prefix, int vectorCount)
    {
        var s = new SplitQueueState(
            state.ReadU16(prefix + "size"),
            state.ReadU64(prefix + "desc"),
            state.ReadU64(prefix + "avail"),
            state.ReadU64(prefix + "used"),
            state.ReadBool(prefix + "enabled"),
            state.ReadU16(prefix + "vector"),
            state.ReadBool(prefix + "active"),
            state.ReadU16(prefix + "last_avail_idx"),
            state.ReadU16(prefix + "used_idx"),
            state.ReadU16(prefix + "signalled_used"),
            state.ReadBool(prefix + "signalled_valid"));
        if (s.MsixVector != VirtioPciDevice.NoVector && s.MsixVector >= vectorCount)
            throw new MigrationException($"{state.Section}: queue {Index} uses MSI-X vector {s.MsixVector}, the table has {vectorCount}");
        return s;
    }

    /// <summary>
    /// Checks a queue that will serve the driver on the destination: its
    /// rings lie in guest RAM with their alignments, and the device has not
    /// returned more chains than it took, nor taken more than the queue holds.
    /// </summary>
    internal void CheckLive(in SplitQueueState s, string section)
    {
        if (!s.Enabled || !s.Active)
            throw new MigrationException($"{section}: queue {Index} is {(s.Enabled ? "enabled but not active" : "not enabled")} on a device the driver set DRIVER_OK on");
        VirtqError error = CheckLayout(s.Size, s.DescriptorTable, s.AvailRing, s.UsedRing);
        if (error != VirtqError.None)
            throw new MigrationException($"{section}: queue {Index}: {error} (size {s.Size}, rings 0x{s.DescriptorTable:x}/0x{s.AvailRing:x}/0x{s.UsedRing:x})");
        ushort inFlight = (ushort)(s.LastAvail - s.NextUsed);
        if (inFlight > s.Size)
            throw new MigrationException($"{section}: queue {Index} has last_avail_idx {s.LastAvail} and used idx {s.NextUsed}: {inFlight} chains in use, the queue holds {s.Size}");
    }

    /// <summary>
    /// Applies a checked state. With <paramref name="live"/> the rings are
    /// mapped and the indices restored; nothing is written to guest memory
    /// (the rings already hold what the source wrote).
    /// </summary>
    internal void Restore(in SplitQueueState s, bool live, ulong features)
    {
        Deactivate();
        Size = s.Size;
        DescriptorTable = s.DescriptorTable;
        AvailRing = s.AvailRing;
        UsedRing = s.UsedRing;
        Enabled = s.Enabled;
        MsixVector = s.MsixVector;
        if (!live || !s.Enabled)
            return;
        if (!Map(features))
            throw new MigrationException($"queue {Index}: {Error}"); // CheckLive passed: RAM changed under the load
        _lastAvail = s.LastAvail;
        _nextUsed = s.NextUsed;
        _signalledUsed = s.SignalledUsed;
        _signalledValid = s.SignalledValid;
    }
}
