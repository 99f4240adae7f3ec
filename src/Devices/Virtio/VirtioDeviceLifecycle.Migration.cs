using Emu.Core.Migration;

namespace Emu.Devices.Virtio;

// The lifecycle's part in migration. Before the state is saved the worker
// stops and the device completes what it has in flight (QEMU drains the
// same way), so the rings hold no chain the device still owns; after a load
// the worker of a live device starts and first serves every queue, which
// takes the chains the driver made available while the guest was stopped.
internal sealed partial class VirtioDeviceLifecycle
{
    private const byte KnownStatusBits = VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.DriverOk
        | VirtioStatus.FeaturesOk | VirtioStatus.DeviceNeedsReset | VirtioStatus.Failed;

    private bool _quiesced;

    /// <summary>Whether the device is live: the driver set DRIVER_OK and the device does not need a reset.</summary>
    public static bool IsLive(byte status) =>
        (status & VirtioStatus.DriverOk) != 0 && (status & VirtioStatus.DeviceNeedsReset) == 0;

    /// <summary>
    /// The guest stops for a migration's last phase: the worker stops (joined
    /// with no lock held) and the device finishes the requests in flight.
    /// Notifications that arrive meanwhile stay pending in the queue eventfds.
    /// </summary>
    public void Quiesce()
    {
        VirtioWorker? worker;
        lock (Lock)
        {
            if (_quiesced)
                return;
            _quiesced = true;
            worker = _worker;
            _worker = null;
        }
        if (worker == null)
            return;
        worker.Dispose();
        _device.Drain();
    }

    /// <summary>The guest runs again (a failed migration, or after a load): a live device gets its worker back.</summary>
    public void Resume()
    {
        lock (Lock)
        {
            if (!_quiesced)
                return;
            _quiesced = false;
            StartLiveWorker();
        }
    }

    /// <summary>After every section is loaded: a live device starts serving (still without the guest running).</summary>
    public void AfterLoad()
    {
        lock (Lock)
            StartLiveWorker();
    }

    // Transport lock held.
    private void StartLiveWorker()
    {
        if (!_retired && !_failed && _resetsInProgress == 0 && IsLive(Status))
            StartWorker();
    }

    /// <summary>Transport lock held.</summary>
    public void SaveState(StateWriter state) => state.WriteU8("virtio.status", Status);

    /// <summary>
    /// Reads the device status and checks it against the negotiated features:
    /// only the bits of 2.1, DRIVER_OK only after FEATURES_OK, FEATURES_OK
    /// only with features the device offered including VERSION_1.
    /// </summary>
    public byte ReadStatus(StateReader state, ulong driverFeatures)
    {
        byte status = state.ReadU8("virtio.status");
        if ((status & ~KnownStatusBits) != 0)
            throw new MigrationException($"{state.Section}: device status 0x{status:x2} has bits virtio does not define");
        if ((status & VirtioStatus.DriverOk) != 0 && (status & VirtioStatus.FeaturesOk) == 0)
            throw new MigrationException($"{state.Section}: device status 0x{status:x2} has DRIVER_OK without FEATURES_OK");
        if ((status & VirtioStatus.FeaturesOk) != 0 && !_common.Acceptable(driverFeatures))
            throw new MigrationException($"{state.Section}: FEATURES_OK with driver features 0x{driverFeatures:x}, which this device does not offer (0x{_common.OfferedFeatures:x})");
        return status;
    }

    /// <summary>Transport lock held: the loaded status; a device that needed a reset still does.</summary>
    public void RestoreStatus(byte status)
    {
        Volatile.Write(ref _status, status);
        _failed = (status & VirtioStatus.DeviceNeedsReset) != 0;
    }
}
