using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Virtio;

/// <summary>
/// The device status of a virtio-pci function and what hangs on it: the
/// status transitions of driver initialization (virtio 1.2 section 3.1.1),
/// activation (queues validated, the worker thread started), device reset,
/// DEVICE_NEEDS_RESET, and retirement when the function is unplugged.
///
/// Locking. <see cref="Lock"/> is the transport lock: it guards the status,
/// the common configuration (<see cref="VirtioCommonConfig"/>) and which
/// worker runs. Inside it only the function's INTx lock may be taken (the
/// ISR cleared at reset), never the function's config lock. No lock is held
/// while a worker is stopped and joined: a reset takes the worker out under
/// the lock, joins it with no lock held (the worker may need the INTx lock
/// to finish the request it is serving) and then resets the queues under the
/// lock again; while any reset is in progress, a status write that would
/// activate the device is dropped, so two workers never serve the same
/// queues. The worker itself takes none of these locks.
/// </summary>
internal sealed partial class VirtioDeviceLifecycle
{
    private readonly VirtioDevice _device;
    private readonly VirtioCommonConfig _common;
    private readonly VirtioInterruptLine _interrupts;
    private readonly EventFd[] _queueEvents;
    private readonly IVirtioTransport _transport;
    private readonly string _name;
    private readonly ILogger _logger;
    private int _status;
    private volatile bool _failed;
    private VirtioWorker? _worker;
    private VirtioWorker? _stopping;
    private int _resetsInProgress;
    private bool _retired;

    public VirtioDeviceLifecycle(VirtioDevice device, VirtioCommonConfig common, VirtioInterruptLine interrupts, EventFd[] queueEvents,
        IVirtioTransport transport, string name, ILogger logger)
    {
        _device = device;
        _common = common;
        _interrupts = interrupts;
        _queueEvents = queueEvents;
        _transport = transport;
        _name = name;
        _logger = logger;
    }

    /// <summary>The transport lock (see the type's remarks for what it guards and what may nest in it).</summary>
    public object Lock { get; } = new();

    public byte Status => (byte)Volatile.Read(ref _status);

    /// <summary>True after <see cref="Fail"/> until the next reset.</summary>
    public bool IsFailed => _failed;

    /// <summary>A worker serves the queues (the driver set DRIVER_OK and no reset is under way).</summary>
    public bool IsActive
    {
        get
        {
            lock (Lock)
                return _worker != null;
        }
    }

    /// <summary>A driver write of device_status; called with no lock held.</summary>
    public void WriteStatus(byte value)
    {
        if (value == 0)
        {
            Reset();
            return;
        }
        lock (Lock)
        {
            // A function being reset or unplugged takes no new state, as hardware in reset would not.
            if (_resetsInProgress > 0 || _retired)
                return;
            byte current = Status;
            byte added = (byte)(value & ~current);
            byte next = (byte)(current | value);
            // The driver may only accept what was offered, and a modern device
            // needs VIRTIO_F_VERSION_1; otherwise FEATURES_OK stays clear (3.1.1).
            if ((added & VirtioStatus.FeaturesOk) != 0 && !_common.FeaturesAcceptable)
                next &= unchecked((byte)~VirtioStatus.FeaturesOk);
            if ((added & VirtioStatus.DriverOk) != 0 && (next & VirtioStatus.FeaturesOk) == 0)
                next &= unchecked((byte)~VirtioStatus.DriverOk);
            Volatile.Write(ref _status, next | (Volatile.Read(ref _status) & VirtioStatus.DeviceNeedsReset));
            if ((added & VirtioStatus.DriverOk) != 0 && (next & VirtioStatus.DriverOk) != 0)
                Activate();
        }
    }

    // Transport lock held. Starting the thread does not wait for it.
    private void Activate()
    {
        ulong features = _common.DriverFeatures;
        foreach (SplitQueue queue in _device.Queues)
        {
            if (queue.Enabled && !queue.Activate(features))
            {
                Fail($"queue {queue.Index}: {queue.Error} (size {queue.Size}, rings 0x{queue.DescriptorTable:x}/0x{queue.AvailRing:x}/0x{queue.UsedRing:x})");
                return;
            }
        }
        _device.Activate(features);
        StartWorker();
    }

    // Transport lock held: a worker for the live device, unless the guest is
    // stopped for a migration (then Resume starts it).
    private void StartWorker()
    {
        if (_quiesced || _worker != null)
            return;
        _worker = new VirtioWorker(_name, _device, _queueEvents, _transport, _logger);
        _worker.Start();
    }

    /// <summary>
    /// Device reset (the driver wrote 0, the function was reset, or it leaves):
    /// the worker is stopped, the queues and the device forget everything, the
    /// ISR is cleared, and the status reads 0 once all of that is done. The
    /// caller must hold no lock. Several threads may reset at once.
    /// </summary>
    public void Reset()
    {
        VirtioWorker? worker;
        lock (Lock)
        {
            _resetsInProgress++;
            worker = _worker ?? _stopping;
            _stopping = worker;
            _worker = null;
        }
        try
        {
            worker?.Stop();
        }
        finally
        {
            lock (Lock)
            {
                if (worker != null && ReferenceEquals(_stopping, worker))
                    _stopping = null;
                foreach (SplitQueue queue in _device.Queues)
                    queue.Reset();
                _device.Reset();
                foreach (EventFd e in _queueEvents)
                    e.Wait();
                _common.Reset();
                _failed = false;
                Volatile.Write(ref _status, 0);
                _interrupts.Clear();
                _resetsInProgress--;
            }
            worker?.Dispose();
        }
    }

    /// <summary>
    /// The function leaves the machine: from now on nothing activates the
    /// device again, and the worker is stopped for good. Called once no vCPU
    /// can reach the function any more; no lock held.
    /// </summary>
    public void Retire()
    {
        lock (Lock)
            _retired = true;
        Reset();
    }

    /// <summary>DEVICE_NEEDS_RESET with a line in the log, and a configuration change for a live driver (2.1.2).</summary>
    public void Fail(string reason)
    {
        if (_failed)
            return;
        _failed = true;
        _logger.LogError("{Device}: {Reason}; device needs reset", _name, reason);
        int status;
        do
        {
            status = Volatile.Read(ref _status);
        }
        while (Interlocked.CompareExchange(ref _status, status | VirtioStatus.DeviceNeedsReset, status) != status);
        if ((status & VirtioStatus.DriverOk) != 0)
            _transport.SignalConfigChange();
    }

    /// <summary>On the worker thread, from the device: start or stop watching its backend descriptor.</summary>
    public void WatchBackend(bool enabled) => Volatile.Read(ref _worker)?.WatchBackend(enabled);
}
