using System.Diagnostics;
using Emu.Core.Posix;
using Emu.Devices.HostIo;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Virtio;

/// <summary>
/// The dedicated thread of one virtio device: it sleeps in epoll on the
/// queues' notification eventfds (registered with the accelerator as
/// ioeventfds, so a guest notification wakes it without a VMM exit), on the
/// device's backend descriptor, and on a stop eventfd; it serves whatever is
/// ready. No thread-pool thread ever blocks here. Exceptions never escape:
/// they put the device in DEVICE_NEEDS_RESET.
/// </summary>
internal sealed class VirtioWorker : IDisposable
{
    private const ulong StopToken = ulong.MaxValue;
    private const ulong BackendToken = ulong.MaxValue - 1;

    // How long the worker looks for new work before it sleeps (QEMU's
    // iothreads poll 32 us by default too): a driver that keeps the device
    // busy then gets served without a wake-up.
    private static readonly long s_pollTicks = Stopwatch.Frequency * 32 / 1_000_000;

    private readonly VirtioDevice _device;
    private readonly EventFd[] _queueEvents;
    private readonly IVirtioTransport _transport;
    private readonly ILogger _logger;
    private readonly EventFd _stop = new(nonBlocking: true);
    private readonly EpollSet _epoll = new();
    private readonly Thread _thread;
    private readonly object _stopLock = new();
    private volatile bool _stopping;
    private bool _disposed;
    private bool _backendWatched;

    public VirtioWorker(string name, VirtioDevice device, EventFd[] queueEvents, IVirtioTransport transport, ILogger logger)
    {
        _device = device;
        _queueEvents = queueEvents;
        _transport = transport;
        _logger = logger;
        _epoll.Add(_stop.Handle, StopToken);
        for (int i = 0; i < queueEvents.Length; i++)
            _epoll.Add(queueEvents[i].Handle, (ulong)i);
        if (device.BackendHandle is FileDescriptor backend)
        {
            _epoll.Add(backend, BackendToken);
            _backendWatched = true;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public void Start() => _thread.Start();

    /// <summary>Starts or stops watching the backend fd; call on the worker thread (from the device).</summary>
    public void WatchBackend(bool enabled)
    {
        FileDescriptor? backend = _device.BackendHandle;
        if (backend == null || enabled == _backendWatched)
            return;
        _backendWatched = enabled;
        _epoll.Modify(backend, BackendToken, enabled ? EpollEvent.In : 0);
    }

    private void Run()
    {
        Span<EpollEvent> ready = stackalloc EpollEvent[16];
        try
        {
            // Anything notified before the thread started is served first.
            for (int q = 0; q < _queueEvents.Length; q++)
                Serve(q);
            while (!_stopping)
            {
                if (Poll() || (!_transport.IsFailed && _device.PrepareToSleep()))
                    continue;
                int n = _epoll.Wait(ready);
                for (int i = 0; i < n && !_stopping; i++)
                {
                    ulong token = ready[i].Data;
                    if (token == StopToken)
                        return;
                    if (token == BackendToken)
                    {
                        if (!_transport.IsFailed)
                            _device.ProcessBackend();
                        else
                            WatchBackend(false);
                        continue;
                    }
                    _queueEvents[(int)token].Wait();
                    Serve((int)token);
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "virtio worker {Name} failed", _thread.Name);
            _transport.Fail("internal error: " + e.Message);
        }
    }

    // Spins briefly on the device's cheap work check; true when it served something.
    private bool Poll()
    {
        long deadline = Stopwatch.GetTimestamp() + s_pollTicks;
        do
        {
            if (_transport.IsFailed)
                return false;
            if (_device.HasPolledWork)
            {
                try
                {
                    _device.ServePolledWork();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _transport.Fail($"{e.GetType().Name}: {e.Message}");
                }
                return true;
            }
            Thread.SpinWait(16);
        }
        while (Stopwatch.GetTimestamp() < deadline && !_stopping);
        return false;
    }

    private void Serve(int queue)
    {
        if (_transport.IsFailed)
            return;
        try
        {
            _device.ProcessQueue(queue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _transport.Fail($"queue {queue}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Asks the thread to stop and waits until it has (not from the worker
    /// itself). Several threads may stop the same worker at once (two vCPUs
    /// resetting the device); each returns once the thread is gone. The caller
    /// must hold no lock: the worker may need the INTx lock to finish the
    /// request it is serving.
    /// </summary>
    public void Stop()
    {
        lock (_stopLock)
        {
            if (!_stopping && !_disposed)
            {
                _stopping = true;
                _stop.Signal();
            }
        }
        if (Thread.CurrentThread != _thread && _thread.IsAlive)
            _thread.Join();
    }

    /// <summary>Stops the thread, then releases its epoll set and stop eventfd; idempotent.</summary>
    public void Dispose()
    {
        Stop();
        lock (_stopLock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _epoll.Dispose();
        _stop.Dispose();
    }
}
