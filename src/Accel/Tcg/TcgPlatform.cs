using Emu.Core.Cpu;
using Emu.Core.Interrupts;
using Emu.Core.Memory;

namespace Emu.Accel.Tcg;

/// <summary>
/// What the software CPUs of one machine share: the address spaces they
/// reach RAM and devices through, a generation counter that tells them the
/// memory map changed (their TLBs hold host pointers and must be refilled),
/// the origin of the time stamp counter, and a lock for the rare locked
/// read-modify-writes that cannot be done with one host atomic (split across
/// pages, or on a device).
///
/// During a live migration it also logs the RAM pages the CPUs write
/// (<see cref="IDirtyMemoryTracking"/>): a CPU gives itself write access to
/// a RAM page in its TLB only on a write, and marks the page dirty when it
/// does; re-arming after a harvest makes every CPU drop its write access and
/// waits until each has, at an instruction boundary, so every later write
/// goes through the TLB fill again and marks the page.
/// </summary>
internal sealed partial class TcgPlatform : IMemoryListener
{
    private volatile int _generation;
    private readonly List<X86Cpu> _cpus = new();

    public AddressSpace? Memory { get; private set; }

    public AddressSpace? Io { get; private set; }

    /// <summary>Bumped after every change of the system memory map.</summary>
    public int Generation => _generation;

    public object AtomicLock { get; } = new();

    /// <summary>How the CPUs created on this platform use the JIT (read when each CPU is created).</summary>
    public Jit.JitOptions Jit { get; set; } = Emu.Accel.Tcg.Jit.JitOptions.Default;

    /// <summary>Host time at which every CPU's TSC was 0 (before IA32_TSC writes).</summary>
    public long TscOriginNanoseconds { get; } = MonotonicTime.NowNanoseconds;

    /// <summary>TSC ticks per nanosecond, as a fraction the guest learns from CPUID leaf 0x15.</summary>
    public const long TscHz = 1_000_000_000;

    /// <summary>The address spaces; this platform already listens to the memory map as the VM's memory listener.</summary>
    public void Attach(AddressSpace memory, AddressSpace io)
    {
        Memory = memory;
        Io = io;
    }

    public void RangeRemoved(in FlatRange range)
    {
    }

    public void RangeAdded(in FlatRange range)
    {
    }

    /// <summary>A new memory map: every CPU looks at it before its next block.</summary>
    public void CommitUpdate()
    {
        Interlocked.Increment(ref _generation);
        lock (_cpus)
        {
            foreach (X86Cpu cpu in _cpus)
                cpu.RequestAttention();
        }
    }

    public void Register(X86Cpu cpu)
    {
        lock (_cpus)
            _cpus.Add(cpu);
    }

    /// <summary>
    /// The host address of [physical, physical + length) when it lies in one
    /// RAM range (or ROM, when not <paramref name="writable"/>); null otherwise.
    /// </summary>
    public unsafe byte* RamPointer(ulong physical, int length, bool writable)
    {
        FlatView view = Memory!.View;
        int i = view.IndexOf(physical);
        if (i < 0)
            return null;
        ref readonly FlatRange r = ref view[i];
        if (!(r.IsRam || (r.IsRom && !writable)) || (ulong)length > r.Size - (physical - r.Start))
            return null;
        return (byte*)r.HostAddress + (physical - r.Start);
    }

    /// <summary>How a physical page is reached: RAM (read and write), ROM (read only) or neither (I/O).</summary>
    public unsafe PageKind Classify(ulong physicalPage, out byte* host)
    {
        FlatView view = Memory!.View;
        int i = view.IndexOf(physicalPage);
        host = null;
        if (i < 0)
            return PageKind.Io;
        ref readonly FlatRange r = ref view[i];
        // The whole page must be in the range, or it is served piecewise through the slow path.
        if (!r.IsMappable || r.Size - (physicalPage - r.Start) < 0x1000)
            return PageKind.Io;
        host = (byte*)r.HostAddress + (physicalPage - r.Start);
        return r.IsRam ? PageKind.Ram : PageKind.Rom;
    }
}
