using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Emu.Core.Machines;

/// <summary>
/// A grace period over the vCPU threads, as QEMU's RCU gives one: it ends
/// once every vCPU thread has passed a point at which it held nothing it had
/// taken from an address space's flat view (a range, a region, a handler, a
/// host pointer). The memory map is swapped lock-free under running vCPUs, so
/// after a device leaves the map a vCPU may still be inside the device's
/// handler, or about to enter it, through the view it read before; only after
/// a grace period may the device's file descriptors be closed and its memory
/// unmapped.
///
/// Each vCPU thread publishes a counter (<see cref="VcpuRunner.QuiescentState"/>):
/// odd while it is idle (not started, parked, waiting in a HLT in the VMM,
/// ended), moved on at every pass through the top of its loop, where it holds
/// nothing. A grace period reads every counter after the new view was
/// published (with a full fence on both sides, so a thread that has not moved
/// on yet will see the new view in its next iteration), kicks the threads that
/// are active, and waits until each is idle or has moved on. The kick covers
/// accelerators that reach devices inside their run (the software CPU), whose
/// run returns only when asked; one that exits to the VMM for every device
/// access (KVM) just makes one more pass. The vCPU loop pays one interlocked
/// add per iteration; it takes no lock and allocates nothing.
/// </summary>
internal sealed class VcpuGracePeriod
{
    private static readonly long s_warnAfterTicks = Stopwatch.Frequency * 5;

    private readonly IReadOnlyList<VcpuRunner> _runners;
    private readonly ILogger _logger;

    public VcpuGracePeriod(IReadOnlyList<VcpuRunner> runners, ILogger logger)
    {
        _runners = runners;
        _logger = logger;
    }

    /// <summary>
    /// Returns once no vCPU thread can still be using a view published
    /// before the call. Must not be called on a vCPU thread (it would wait for
    /// itself) nor with a lock held that a vCPU may need on its way out of a
    /// device handler (the memory topology's, a device's).
    /// </summary>
    public void Wait()
    {
        int count = _runners.Count;
        if (count == 0)
            return;
        foreach (VcpuRunner runner in _runners)
        {
            if (runner.IsCurrentThread)
                throw new InvalidOperationException($"vcpu{runner.Index} cannot wait for a grace period: it would wait for itself");
        }
        // The caller published a new view; the counters are read after it is visible.
        Interlocked.MemoryBarrier();
        var seen = new long[count];
        for (int i = 0; i < count; i++)
        {
            seen[i] = _runners[i].QuiescentState;
            if ((seen[i] & 1) == 0)
                _runners[i].Vcpu.RequestExit();
        }
        long start = Stopwatch.GetTimestamp();
        long nextKick = start + Stopwatch.Frequency / 100;
        bool warned = false;
        var spin = new SpinWait();
        while (true)
        {
            int waiting = -1;
            for (int i = 0; i < count && waiting < 0; i++)
            {
                if ((seen[i] & 1) == 0 && _runners[i].QuiescentState == seen[i])
                    waiting = i;
            }
            if (waiting < 0)
                return;
            long now = Stopwatch.GetTimestamp();
            if (now >= nextKick)
            {
                // A kick can find the thread between two checks of its exit flag; ask again.
                _runners[waiting].Vcpu.RequestExit();
                nextKick = now + Stopwatch.Frequency / 100;
            }
            if (!warned && now - start > s_warnAfterTicks)
            {
                warned = true;
                _logger.LogWarning("vcpu{Index} has not left a device handler for 5 s; a device removal waits for it", _runners[waiting].Index);
            }
            if (spin.NextSpinWillYield)
                Thread.Sleep(1);
            else
                spin.SpinOnce();
        }
    }
}
