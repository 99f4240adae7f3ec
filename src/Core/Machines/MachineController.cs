using Emu.Core.Cpu;
using Emu.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Emu.Core.Machines;

/// <summary>
/// Runs a machine's life cycle on a control thread of its own: start, pause,
/// resume, reset, device removal and shutdown requests arrive from anywhere
/// (QMP, signals, devices on vCPU threads) and are carried out one after
/// another, so a reset and a removal never overlap. vCPUs are
/// stopped by closing a gate and kicking them out of the accelerator; they park
/// at their next check point, so a device's request takes effect before the
/// guest runs another instruction.
/// </summary>
public sealed class MachineController
{
    private readonly object _gate = new();
    private readonly Queue<MachineRequest> _queue = new();
    private readonly TaskCompletionSource<MachineExit> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<VcpuRunner> _runners = new();
    private readonly ILogger _logger;
    private Thread? _thread;
    private volatile int _requestPending;
    private bool _gateOpen;
    private bool _stopping;
    private int _parked;
    private int _alive;
    private volatile int _resetGeneration;
    private MachineExit? _exit;
    private volatile RunState _state = RunState.Prelaunch;

    internal MachineController(Machine machine, ILogger logger)
    {
        Machine = machine;
        _logger = logger;
        GracePeriod = new VcpuGracePeriod(_runners, logger);
    }

    /// <summary>Waits until no vCPU can still use a memory map published before the call (device removal).</summary>
    internal VcpuGracePeriod GracePeriod { get; }

    public Machine Machine { get; }

    public RunState State => _state;

    public IReadOnlyList<VcpuRunner> Vcpus => _runners;

    /// <summary>Completes with the exit status once the machine has stopped for good.</summary>
    public Task<MachineExit> Completion => _completion.Task;

    public event Action<MachineEvent>? Event;

    internal bool RequestPending => _requestPending != 0;

    internal int ResetGeneration => _resetGeneration;

    internal void AddVcpu(VcpuRunner runner) => _runners.Add(runner);

    /// <summary>
    /// Starts the vCPU threads; with <paramref name="paused"/> they wait for a
    /// resume (-S); with <paramref name="incoming"/> the machine waits in
    /// inmigrate for its state to be loaded.
    /// </summary>
    internal void Start(bool paused, bool incoming = false)
    {
        paused |= incoming;
        if (_thread != null)
            throw new InvalidOperationException("machine already started");
        _thread = new Thread(ControlLoop) { IsBackground = true, Name = "machine" };
        lock (_gate)
        {
            // A request posted before the start (a signal while emu was starting) keeps the guest stopped.
            bool requested = _queue.Count > 0;
            _gateOpen = !paused && !requested;
            _requestPending = paused || requested ? 1 : 0;
            _alive = _runners.Count;
            _state = incoming ? RunState.InMigrate : paused ? RunState.Prelaunch : RunState.Running;
        }
        _thread.Start();
        foreach (VcpuRunner runner in _runners)
            runner.Start();
    }

    /// <summary>
    /// Queues a request for the control thread; false (and nothing queued)
    /// when there is no control thread to carry it out: not started yet, or
    /// finished. Requests other than a shutdown are dropped while stopping.
    /// </summary>
    internal bool TryPost(MachineRequest request)
    {
        lock (_gate)
        {
            if (_thread == null || _completion.Task.IsCompleted)
                return false;
        }
        Post(request);
        return true;
    }

    internal Task Post(MachineRequest request)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted || (_stopping && request.Kind != MachineRequestKind.Shutdown))
            {
                request.Done.TrySetResult();
                return request.Done.Task;
            }
            // An unplug does not stop the guest: its grace period lets the vCPUs run on.
            if (request.Kind is not (MachineRequestKind.Resume or MachineRequestKind.Unplug))
            {
                // Stop the guest right away; the control thread finishes the job.
                _gateOpen = false;
                _requestPending = 1;
                if (request.Kind == MachineRequestKind.Shutdown)
                {
                    _stopping = true;
                    _exit ??= request.Exit;
                }
            }
            _queue.Enqueue(request);
            Monitor.PulseAll(_gate);
        }
        if (request.Kind is not (MachineRequestKind.Resume or MachineRequestKind.Unplug))
            KickAll();
        return request.Done.Task;
    }

    // The vCPU whose thread posts the request (a device it reached asked for a
    // reset or a power-off) is kicked too: a software CPU calls device handlers
    // from inside Run and would otherwise run on in the guest until something
    // else kicked it (Linux's reboot=pci triple-faults 50 us after writing 0xCF9).
    // On KVM the kick makes the next KVM_RUN return at once, which the check point
    // before it already takes care of.
    private void KickAll()
    {
        foreach (VcpuRunner runner in _runners)
            runner.Vcpu.RequestExit();
    }

    private void ControlLoop()
    {
        try
        {
            while (true)
            {
                MachineRequest request;
                lock (_gate)
                {
                    while (_queue.Count == 0)
                        Monitor.Wait(_gate);
                    request = _queue.Dequeue();
                }
                bool done = Execute(request);
                request.Done.TrySetResult();
                if (done)
                    break;
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "machine control failed");
            _exit ??= new MachineExit(ShutdownCause.HostError, 1, e.Message);
            StopAllVcpus(stopping: true);
        }
        MachineExit exit = _exit ?? new MachineExit(ShutdownCause.HostError, 1, "machine stopped");
        lock (_gate)
        {
            foreach (MachineRequest pending in _queue)
                pending.Done.TrySetResult();
            _queue.Clear();
        }
        _completion.TrySetResult(exit);
    }

    // Returns true when the machine is finished.
    private bool Execute(MachineRequest request)
    {
        switch (request.Kind)
        {
            case MachineRequestKind.Pause:
                if (_state == RunState.Running)
                {
                    StopAllVcpus(stopping: false);
                    Machine.Vm.GuestStopped();
                    if (request.Target == RunState.FinishMigrate)
                        QuiesceDevices();
                    _state = request.Target;
                    Raise(new MachineEvent(MachineEventKind.Stop, DateTimeOffset.UtcNow));
                }
                else if (request.Target == RunState.FinishMigrate && _state is RunState.Paused or RunState.Prelaunch or RunState.PostMigrate)
                {
                    // A stopped guest is saved as it is (a snapshot after stop); its devices still go quiet.
                    QuiesceDevices();
                    _state = RunState.FinishMigrate;
                }
                else
                {
                    ReopenIfRunning();
                }
                return false;
            case MachineRequestKind.Resume:
                if (_state is RunState.Paused or RunState.Prelaunch or RunState.PostMigrate or RunState.FinishMigrate)
                {
                    ResumeDevices();
                    Machine.Vm.GuestResuming();
                    _state = RunState.Running;
                    OpenGate();
                    Raise(new MachineEvent(MachineEventKind.Resume, DateTimeOffset.UtcNow));
                }
                return false;
            case MachineRequestKind.SetStoppedState:
                if (_state is RunState.Paused or RunState.Prelaunch or RunState.InMigrate or RunState.FinishMigrate or RunState.PostMigrate)
                {
                    if (request.Target is not (RunState.FinishMigrate or RunState.PostMigrate))
                        ResumeDevices();
                    _state = request.Target;
                }
                return false;
            case MachineRequestKind.Reset:
                // -no-reboot turns every system reset into the end of the VMM, a QMP
                // system_reset too (QEMU 7.2 on q35: SHUTDOWN with guest false and reason
                // host-qmp-system-reset, exit status 0).
                if (Machine.NoReboot)
                {
                    _exit ??= new MachineExit(request.ByGuest ? ShutdownCause.GuestReset : ShutdownCause.HostQmpSystemReset, 0);
                    return Shutdown();
                }
                StopAllVcpus(stopping: false);
                Machine.ResetDevices();
                _resetGeneration++;
                Raise(new MachineEvent(MachineEventKind.Reset, DateTimeOffset.UtcNow) { ByGuest = request.ByGuest });
                ReopenIfRunning();
                return false;
            case MachineRequestKind.Shutdown:
                return Shutdown();
            case MachineRequestKind.Unplug:
                Machine.CarryOutUnplug(request.Device!);
                return false;
            default:
                return false;
        }
    }

    private bool _devicesQuiesced;

    // A migration's last phase: no device may touch guest memory or change
    // state while it is saved. Undone when the guest runs again.
    private void QuiesceDevices()
    {
        if (_devicesQuiesced)
            return;
        _devicesQuiesced = true;
        foreach (Device device in Machine.Devices)
            device.QuiesceActivity();
    }

    private void ResumeDevices()
    {
        if (!_devicesQuiesced)
            return;
        _devicesQuiesced = false;
        foreach (Device device in Machine.Devices)
            device.ResumeActivity();
    }

    private bool Shutdown()
    {
        StopAllVcpus(stopping: true);
        _state = _exit?.Cause == ShutdownCause.InternalError ? RunState.InternalError : RunState.Shutdown;
        Raise(new MachineEvent(MachineEventKind.Shutdown, DateTimeOffset.UtcNow) { Exit = _exit, ByGuest = _exit?.ByGuest ?? false });
        return true;
    }

    private void ReopenIfRunning()
    {
        if (_state == RunState.Running)
            OpenGate();
    }

    private void OpenGate()
    {
        lock (_gate)
        {
            if (_stopping || _queue.Count > 0)
                return; // a later request will decide
            _gateOpen = true;
            _requestPending = 0;
            Monitor.PulseAll(_gate);
        }
    }

    // Closes the gate and waits until every vCPU thread is parked (or gone).
    private void StopAllVcpus(bool stopping)
    {
        lock (_gate)
        {
            _gateOpen = false;
            _requestPending = 1;
            _stopping |= stopping;
            Monitor.PulseAll(_gate);
        }
        KickAll();
        lock (_gate)
        {
            while (_parked < _alive)
                Monitor.Wait(_gate, 50);
        }
        if (stopping)
        {
            foreach (VcpuRunner runner in _runners)
                runner.Join();
        }
    }

    /// <summary>
    /// Called by a vCPU thread that saw a pending request. Returns false when
    /// the thread must end, true when it may run the guest again.
    /// </summary>
    internal bool Park(VcpuRunner runner)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_stopping)
                    return false;
                if (_gateOpen)
                    return true;
                if (runner.HasPendingWork)
                {
                    // Not counted as parked while it works; a stop waits for it to come back.
                    Monitor.Exit(_gate);
                    try
                    {
                        runner.RunPendingWork();
                    }
                    finally
                    {
                        Monitor.Enter(_gate);
                    }
                    continue;
                }
                _parked++;
                Monitor.PulseAll(_gate);
                runner.EnterIdle();
                Monitor.Wait(_gate);
                runner.LeaveIdle();
                _parked--;
            }
        }
    }

    /// <summary>
    /// A vCPU halted with no interrupt controller to wake it: waits for the
    /// next request. Returns true when it woke for queued work instead (the
    /// caller runs it and waits again).
    /// </summary>
    internal bool WaitWhileHalted(VcpuRunner runner)
    {
        lock (_gate)
        {
            while (_requestPending == 0)
            {
                if (runner.HasPendingWork)
                    return true;
                runner.EnterIdle();
                Monitor.Wait(_gate);
                runner.LeaveIdle();
            }
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on vCPU <paramref name="index"/>'s own
    /// thread (its registers can be read only there) and completes with the
    /// result. The calling thread does not wait for the vCPU: a running vCPU
    /// is kicked out of the guest, does the work and goes back in; a paused
    /// one does it while it stays parked.
    /// </summary>
    public Task<T> RunOnVcpu<T>(int index, Func<IVcpu, T> work)
    {
        VcpuRunner runner = _runners.FirstOrDefault(r => r.Index == index)
            ?? throw new ArgumentOutOfRangeException(nameof(index), $"there is no vcpu{index}");
        Task<T> task = runner.Enqueue(work);
        lock (_gate)
            Monitor.PulseAll(_gate); // a parked or halted thread wakes and sees the work
        if (!runner.IsCurrentThread)
            runner.Vcpu.RequestExit();
        return task;
    }

    internal void VcpuExited(VcpuRunner runner)
    {
        lock (_gate)
        {
            _alive--;
            Monitor.PulseAll(_gate);
        }
        if (!_stopping)
        {
            Post(new MachineRequest(MachineRequestKind.Shutdown, exit: new MachineExit(ShutdownCause.HostError, 1, $"vcpu{runner.Index} stopped unexpectedly")));
        }
    }

    internal void GuestCrashed(VcpuRunner runner, ShutdownCause cause, string what, ref VcpuExit exit)
    {
        string dump;
        try
        {
            dump = CpuStateDump.Capture(runner.Vcpu, Machine.SystemMemory);
        }
        catch (Exception e)
        {
            dump = $"(registers unavailable: {e.Message})";
        }
        string message = $"vcpu{runner.Index}: {what}\n{dump}";
        Post(new MachineRequest(MachineRequestKind.Shutdown, exit: new MachineExit(cause, MachineExit.GuestCrashExitCode, message)));
    }

    internal void Fail(VcpuRunner runner, Exception e)
    {
        _logger.LogError(e, "vcpu{Index} failed", runner.Index);
        Post(new MachineRequest(MachineRequestKind.Shutdown, exit: new MachineExit(ShutdownCause.HostError, 1, $"vcpu{runner.Index}: {e.Message}")));
    }

    internal void Raise(MachineEvent e)
    {
        try
        {
            Event?.Invoke(e);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "event handler failed for {Kind}", e.Kind);
        }
    }
}
