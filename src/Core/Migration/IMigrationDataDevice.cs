namespace Emu.Core.Migration;

/// <summary>
/// A device whose state is an opaque stream the device produces and consumes
/// itself (a VFIO device's migration data fd), sent as DeviceData records
/// under <see cref="MigrationDataId"/> besides its section. The migration
/// drives it with the VM: pre-copy while the guest runs (if the device
/// offers it), the rest once the guest has stopped; on the destination the
/// records are written back before the sections are loaded.
/// </summary>
public interface IMigrationDataDevice
{
    /// <summary>The id of the device's records (its section id).</summary>
    string MigrationDataId { get; }

    /// <summary>The device as an error message names it.</summary>
    string MigrationName { get; }

    /// <summary>A live migration begins with the guest running: the device starts pre-copy if it can.</summary>
    void BeginOutgoing(bool live);

    /// <summary>Bytes the device says it has ready now in pre-copy (0 without pre-copy).</summary>
    long PrecopyPendingBytes { get; }

    /// <summary>Bytes the device says it will produce once stopped (for the downtime estimate).</summary>
    long StopCopyEstimateBytes { get; }

    /// <summary>Sends pre-copy data that is ready, up to about <paramref name="budget"/> bytes; returns how many were sent.</summary>
    long SendPrecopy(Action<ReadOnlySpan<byte>> send, long budget);

    /// <summary>With the guest stopped (the device quiesced): sends all of the device's remaining state; returns the bytes sent.</summary>
    long SendStopCopy(Action<ReadOnlySpan<byte>> send);

    /// <summary>
    /// The outgoing migration ended. On success the device stays stopped (the
    /// VM lives on elsewhere); on failure or cancel it goes back to where the
    /// VM is: running when the guest runs again.
    /// </summary>
    void EndOutgoing(bool completed);

    /// <summary>The destination is about to receive the device's data (the device gets ready to take it).</summary>
    void BeginIncoming();

    /// <summary>One DeviceData record for this device, in order.</summary>
    void ReceiveData(ReadOnlySpan<byte> data);

    /// <summary>All data has arrived (End): the device loads it; an error refuses the stream.</summary>
    void EndIncoming();
}
