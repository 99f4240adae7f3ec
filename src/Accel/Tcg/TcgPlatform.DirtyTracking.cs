using Emu.Core.Cpu;
using Emu.Core.Memory;

namespace Emu.Accel.Tcg;

// Dirty page logging for live migration (see the class comment).
internal sealed partial class TcgPlatform : IDirtyMemoryTracking
{
    private volatile DirtyPageLog? _dirtyLog;
    private volatile int _dirtyEpoch;

    /// <summary>The log CPU writes go into while a migration runs, else null.</summary>
    public DirtyPageLog? DirtyLog => _dirtyLog;

    /// <summary>Bumped by every re-arm: a CPU that has not seen it yet must drop its TLB write access.</summary>
    public int DirtyEpoch => _dirtyEpoch;

    public void Start(DirtyPageLog log)
    {
        _dirtyLog = log;
        RearmAfterHarvest();
    }

    // The CPUs mark the log directly: there is nothing kept elsewhere to collect.
    public void Collect(DirtyPageLog log)
    {
    }

    public void RearmAfterHarvest()
    {
        int epoch = Interlocked.Increment(ref _dirtyEpoch);
        X86Cpu[] cpus;
        lock (_cpus)
            cpus = _cpus.ToArray();
        foreach (X86Cpu cpu in cpus)
            cpu.Wake();
        // A CPU outside Run looks at the epoch before its next instruction (it
        // publishes that it is inside Run before it reads the epoch, and this
        // thread bumped the epoch before it reads that flag: one of the two sees
        // the other). A CPU inside Run acknowledges at its next block boundary,
        // or at once when it is asleep in HLT, as Wake ends the wait.
        var spin = new SpinWait();
        foreach (X86Cpu cpu in cpus)
        {
            while (cpu.InsideRun && cpu.AcknowledgedDirtyEpoch - epoch < 0)
            {
                spin.SpinOnce(sleep1Threshold: 20);
            }
        }
    }

    public void Stop()
    {
        _dirtyLog = null;
        Interlocked.Increment(ref _dirtyEpoch);
    }
}
