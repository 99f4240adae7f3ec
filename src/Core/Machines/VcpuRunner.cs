using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Core.Machines;

/// <summary>
/// The thread of one vCPU: runs the guest, and dispatches each exit by one
/// flat switch to the I/O port or memory address space, whose current flat
/// view leads straight to the device handler with a span over the exit data.
/// Nothing here allocates or locks while the machine runs.
/// </summary>
public sealed class VcpuRunner
{
    private readonly MachineController _controller;
    private readonly AddressSpace _io;
    private readonly AddressSpace _memory;
    private readonly Thread _thread;
    private readonly object _workLock = new();
    private readonly Queue<VcpuWorkItem> _work = new();
    private volatile int _workPending;
    private bool _exited;
    private long _exitCount;
    private int _resetGeneration;

    // For grace periods (VcpuGracePeriod): odd while the thread holds nothing
    // from the address spaces' views (not started, parked, waiting in a HLT,
    // ended); every pass through the top of the loop adds 2, entering or
    // leaving idle adds 1. Interlocked, so each change is a full fence.
    private long _quiescentState = 1;
    private bool _idle = true;

    internal VcpuRunner(MachineController controller, IVcpu vcpu, AddressSpace io, AddressSpace memory)
    {
        _controller = controller;
        Vcpu = vcpu;
        _io = io;
        _memory = memory;
        _thread = new Thread(ThreadMain) { IsBackground = true, Name = $"vcpu{vcpu.Index}" };
    }

    public IVcpu Vcpu { get; }

    public int Index => Vcpu.Index;

    /// <summary>The kernel thread id of the vCPU thread (0 before it starts).</summary>
    public int ThreadId { get; private set; }

    /// <summary>Exits handled by the VMM so far.</summary>
    public long ExitCount => Interlocked.Read(ref _exitCount);

    /// <summary>The guest executed HLT and is waiting (only without an in-kernel interrupt controller).</summary>
    public bool Halted { get; private set; }

    internal void Start() => _thread.Start();

    internal void Join() => _thread.Join();

    internal bool IsCurrentThread => Thread.CurrentThread == _thread;

    internal bool HasPendingWork => _workPending != 0;

    /// <summary>The grace-period counter: odd while idle, moved on at every quiescent point.</summary>
    internal long QuiescentState => Interlocked.Read(ref _quiescentState);

    /// <summary>On the vCPU thread: it is about to wait (parked, halted) holding nothing from a view.</summary>
    internal void EnterIdle()
    {
        if (_idle)
            return;
        _idle = true;
        Interlocked.Increment(ref _quiescentState);
    }

    /// <summary>On the vCPU thread: it is about to run again (and may reach devices).</summary>
    internal void LeaveIdle()
    {
        if (!_idle)
            return;
        _idle = false;
        Interlocked.Increment(ref _quiescentState);
    }

    /// <summary>
    /// Queues <paramref name="work"/> for this vCPU's thread, which runs it at
    /// its next check point: right away if it is parked (paused), after a kick
    /// if it is in the guest. The caller never waits on the vCPU; the vCPU
    /// runs the work between two guest entries.
    /// </summary>
    internal Task<T> Enqueue<T>(Func<IVcpu, T> work)
    {
        var item = new VcpuWorkItem<T>(work);
        lock (_workLock)
        {
            if (_exited)
                return System.Threading.Tasks.Task.FromException<T>(new InvalidOperationException($"vcpu{Index} is not running"));
            _work.Enqueue(item);
            _workPending = 1;
        }
        return item.Task;
    }

    // On the vCPU thread: runs everything queued so far.
    internal void RunPendingWork()
    {
        while (true)
        {
            VcpuWorkItem item;
            lock (_workLock)
            {
                if (_work.Count == 0)
                {
                    _workPending = 0;
                    return;
                }
                item = _work.Dequeue();
            }
            item.Execute(Vcpu);
        }
    }

    private void FailPendingWork()
    {
        lock (_workLock)
        {
            _exited = true;
            _workPending = 0;
            while (_work.TryDequeue(out VcpuWorkItem? item))
                item.Fail(new InvalidOperationException($"vcpu{Index} stopped"));
        }
    }

    private void ThreadMain()
    {
        try
        {
            LeaveIdle();
            ThreadId = Posix.Sys.GetTid();
            Vcpu.AttachThread();
            _resetGeneration = _controller.ResetGeneration;
            _controller.Machine.ResetVcpuState(Vcpu);
            Loop();
        }
        catch (Exception e)
        {
            _controller.Fail(this, e);
        }
        finally
        {
            FailPendingWork();
            Vcpu.DetachThread();
            EnterIdle();
            _controller.VcpuExited(this);
        }
    }

    // Compiled fully optimized at once: this loop never returns, so tiered
    // compilation would have to replace it on the stack (OSR) mid-run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        while (true)
        {
            // A quiescent point: nothing from a view is held here (grace periods).
            Interlocked.Add(ref _quiescentState, 2);
            if ((_controller.RequestPending || _workPending != 0) && !CheckPoint())
                return;
            VcpuExit exit = Vcpu.Run();
            switch (exit.Reason)
            {
                case VcpuExitReason.Io:
                    _exitCount++;
                    if (exit.Count == 1)
                    {
                        if (exit.IsWrite)
                            _io.Write(exit.Address, exit.Data);
                        else
                            _io.Read(exit.Address, exit.Data);
                    }
                    else
                    {
                        DispatchStringIo(ref exit);
                    }
                    break;
                case VcpuExitReason.Mmio:
                    _exitCount++;
                    if (exit.IsWrite)
                        _memory.Write(exit.Address, exit.Data);
                    else
                        _memory.Read(exit.Address, exit.Data);
                    break;
                case VcpuExitReason.Interrupted:
                    break;
                case VcpuExitReason.Halt:
                    _exitCount++;
                    Halted = true;
                    // Work for this vCPU is done while it stays halted; a request ends the wait.
                    while (_controller.WaitWhileHalted(this))
                        RunPendingWork();
                    Halted = false;
                    break;
                case VcpuExitReason.Shutdown:
                    _controller.GuestCrashed(this, ShutdownCause.TripleFault, "the guest triple-faulted (CPU shutdown)", ref exit);
                    break;
                case VcpuExitReason.SystemEvent:
                    HandleSystemEvent(exit.EventType);
                    break;
                default:
                    _controller.GuestCrashed(this, ShutdownCause.InternalError, DescribeFailure(ref exit), ref exit);
                    break;
            }
        }
    }

    // rep ins/outs: Count accesses of Size bytes each, laid out one after another.
    private void DispatchStringIo(ref VcpuExit exit)
    {
        for (int i = 0; i < exit.Count; i++)
        {
            Span<byte> element = exit.Data.Slice(i * exit.Size, exit.Size);
            if (exit.IsWrite)
                _io.Write(exit.Address, element);
            else
                _io.Read(exit.Address, element);
        }
    }

    private void HandleSystemEvent(SystemEventType type)
    {
        switch (type)
        {
            case SystemEventType.Reset:
                _controller.Machine.RequestReset(byGuest: true);
                break;
            case SystemEventType.Shutdown:
                _controller.Machine.RequestShutdown(new MachineExit(ShutdownCause.GuestPowerOff, 0));
                break;
            default:
                _controller.Machine.RequestShutdown(new MachineExit(ShutdownCause.InternalError, MachineExit.GuestCrashExitCode, "the guest reported a crash"));
                break;
        }
    }

    [SuppressMessage("Performance", "CA1822", Justification = "error path")]
    private string DescribeFailure(ref VcpuExit exit) => exit.Reason switch
    {
        VcpuExitReason.InternalError => $"the accelerator could not continue the guest (internal error, suberror {exit.Detail})",
        VcpuExitReason.FailEntry => $"the accelerator could not enter the guest (hardware entry failure 0x{exit.Detail:x})",
        _ => $"unhandled vCPU exit (reason {exit.Detail})",
    };

    // Slow path: the controller wants the vCPUs stopped, reset or gone.
    private bool CheckPoint()
    {
        RunPendingWork();
        if (!_controller.RequestPending)
            return true;
        if (!_controller.Park(this))
            return false;
        int generation = _controller.ResetGeneration;
        if (generation != _resetGeneration)
        {
            _resetGeneration = generation;
            _controller.Machine.ResetVcpuState(Vcpu);
        }
        return true;
    }
}
