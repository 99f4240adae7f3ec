using System.Runtime.CompilerServices;

namespace Emu.Accel.Tcg;

// The CPU's side of dirty page logging (TcgPlatform.DirtyTracking): while a
// migration logs, RAM pages get a write entry in the TLB only on a write, and
// the page is marked dirty then; when the platform re-arms, the CPU drops
// every write entry and acknowledges, at an instruction boundary.
internal sealed partial class X86Cpu
{
    private volatile int _insideRun;
    private volatile int _acknowledgedDirtyEpoch;
    private int _seenDirtyEpoch;

    /// <summary>The CPU's thread is inside <see cref="Run"/> (and may write guest RAM).</summary>
    public bool InsideRun => _insideRun != 0;

    /// <summary>The last re-arm this CPU has carried out.</summary>
    public int AcknowledgedDirtyEpoch => _acknowledgedDirtyEpoch;

    /// <summary>Runs guest code (see <see cref="RunLoop"/>), telling the dirty log when this thread may write guest RAM.</summary>
    public Emu.Core.Cpu.VcpuExitReason Run()
    {
        _insideRun = 1;
        // Full fence: the platform bumps the epoch, then reads InsideRun; here
        // the flag is published before the epoch is read (see RearmAfterHarvest).
        Interlocked.MemoryBarrier();
        try
        {
            CheckDirtyEpoch();
            return RunLoop();
        }
        finally
        {
            _insideRun = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckDirtyEpoch()
    {
        int epoch = Platform.DirtyEpoch;
        if (epoch != _seenDirtyEpoch)
            DropWriteAccess(epoch);
    }

    private void DropWriteAccess(int epoch)
    {
        DropWriteEntries(_tlbUser);
        DropWriteEntries(_tlbSupervisor);
        _seenDirtyEpoch = epoch;
        _acknowledgedDirtyEpoch = epoch;
    }

    private static void DropWriteEntries(TlbEntry[] tlb)
    {
        for (int i = 0; i < tlb.Length; i++)
            tlb[i].WriteTag = TlbEntry.Invalid;
    }

    /// <summary>Marks a RAM page the CPU is about to be able to write (from the TLB fill and page walks), when logging.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkWritten(ulong physical, ulong length) => Platform.DirtyLog?.MarkDirty(physical, length);
}
