namespace Emu.Lab;

// How to boot one level-2 guest. The defaults are shared/LAB.md's recipe.
public sealed class Level2Options
{
    // Extra QEMU arguments, appended after the recipe: the devices to pass through, e.g.
    // "-drive", "file=/path/img,if=none,id=nv,format=raw", "-device", "nvme,drive=nv,serial=lab",
    // or "-device", "e1000e", or "-device", "edu".
    public List<string> QemuArgs { get; } = [];

    // Extra words for the level-2 kernel command line.
    public List<string> KernelArgs { get; } = [];

    // Wall-clock limit for the boot and all jobs, from QEMU's start (not counting the wait
    // for another level-2 guest to finish). On expiry QEMU is killed and BootAsync throws
    // LabRunException carrying the console so far. A hang is found sooner by the stall check
    // below; this bounds a run that keeps making progress slowly (a level 2 on one vCPU
    // on a loaded host took 60-90 s per level-3 boot, and the VFIO run has up to a dozen).
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(20);

    // Level 2 counts as hung when, for this long, neither its console nor any file in the
    // run directory (job output, level-3 consoles) grew: QEMU is then killed as at the
    // timeout, and the result says Stalled. A hung level 2 is thus found in minutes
    // instead of at a timeout sized for slow jobs. Zero turns the check off.
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    // Inside level 2, a job whose run directory stays unchanged this long gets one dump of
    // every process's threads and kernel stacks (<job>.hang, Level2Result.HangDumps): half
    // the stall check's time, so the dump exists before the stall check kills level 2.
    public TimeSpan HangDumpAfter => StallTimeout > TimeSpan.Zero
        ? TimeSpan.FromSeconds(Math.Max(10, Math.Round(StallTimeout.TotalSeconds / 2)))
        : TimeSpan.Zero;

    // How long to wait for another level-2 guest on this machine to finish (LabLock).
    public TimeSpan LockWait { get; set; } = TimeSpan.FromMinutes(60);

    public int MemoryMiB { get; set; } = 3072;
    // One vCPU: QEMU-TCG then runs level 2 on a single thread. With -smp 2 (multi-threaded
    // TCG) level 2's kernel panicked now and then: an int3 oops in __schedule while it
    // patched its own text, and a recursive fault on entry from KVM_RUN (CI, 2026-12-03:
    // the same VFIO run twice in a row). One vCPU was clean and as fast in the lab's
    // measurements; level-3 guests still get as many vCPUs as they ask for.
    public int Cpus { get; set; } = 1;

    // 9p cache mode of the host root inside level 2. "loose" (default) caches metadata and
    // data: about twice as fast as "none" for program start-up (dotnet hello: 0.9 s vs 2.3 s),
    // correct here because the host does not change files during a run. Files written
    // outside the run directory reach the host at the final sync, so write results to
    // $LAB_DIR, which is a separate uncached (cache=mmap) 9p mount.
    public string RootCacheMode { get; set; } = "loose";

    // False (default): /tmp in level 2 is a fresh scratch file system of its own: ext4 on a
    // sparse virtio disk (scratch.img in the run directory) as on a real machine, so unix
    // sockets, FIFOs and O_DIRECT (cache=none disk images; level 2's tmpfs refuses it
    // before Linux 6.6) all work there. True: the host's /tmp through 9p.
    public bool ShareHostTmp { get; set; }

    // Size of that scratch file system (sparse: it takes host disk only as it is written).
    public long ScratchBytes { get; set; } = 16L << 30;

    // Host directories under /tmp that stay visible over the scratch /tmp (bound back into it).
    // The work tree holding the running test assembly and the current directory are added
    // automatically when they are under /tmp, so a checkout in /tmp still works.
    public List<string> VisibleTmpPaths { get; } = [];

    // Receives each level-2 console line as it arrives (e.g. ITestOutputHelper.WriteLine).
    public Action<string>? ConsoleLine { get; set; }
}
