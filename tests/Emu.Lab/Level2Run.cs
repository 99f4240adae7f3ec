using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Emu.Lab;

// One level-2 boot: a run directory on the host, the jobs to run in it, and the boot.
//
//   using var run = Level2Run.Create();
//   string img = run.CreateDiskImage("nvme.img", 16 << 20, "hello"u8);
//   run.Options.QemuArgs.AddRange(["-drive", $"file={img},if=none,id=nv,format=raw",
//                                  "-device", "nvme,drive=nv,serial=lab"]);
//   run.AddJob("lab-bind-vfio 0x010802");
//   var result = await run.BootAsync();
//
// The run directory (<cache>/runs/<stamp>) has the same path on the host and inside
// level 2, where it is the job's cwd and $LAB_DIR. Jobs run one after the other in one
// boot, each with its own output file and exit status, so a test class can batch its
// checks into one ~6 s boot. Disposing deletes the directory after a successful run;
// failed runs (and all runs with EMU_LAB_KEEP=1) are kept for inspection and pruned
// after two days.
public sealed partial class Level2Run : IDisposable
{
    readonly LabEnvironment _env;
    readonly List<LabJob> _jobs = [];
    bool _booted;
    bool _succeeded;

    Level2Run(LabEnvironment env, Level2Options options, string directory)
    {
        _env = env;
        Options = options;
        Directory = directory;
    }

    // Creates a fresh run directory. Throws LabUnavailableException when the lab cannot run.
    public static Level2Run Create(Level2Options? options = null, LabEnvironment? environment = null)
    {
        var env = environment ?? LabEnvironment.Current;
        env.EnsureLevel2();
        string runs = Path.Combine(env.CacheDirectory, "runs");
        System.IO.Directory.CreateDirectory(runs);
        PruneOldRuns(runs);
        string dir = Path.Combine(runs, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        return new Level2Run(env, options ?? new Level2Options(), dir);
    }

    public Level2Options Options { get; }

    // The run directory: same path on the host and in level 2.
    public string Directory { get; }

    public IReadOnlyList<LabJob> Jobs => _jobs;

    // The result of BootAsync, once it returned.
    public Level2Result? Result { get; private set; }

    // Path of a file in the run directory.
    public string PathFor(string fileName) => Path.Combine(Directory, fileName);

    // Writes a file into the run directory and returns its path.
    public string WriteFile(string fileName, string text) => WriteFile(fileName, Encoding.UTF8.GetBytes(text));

    public string WriteFile(string fileName, ReadOnlySpan<byte> data)
    {
        string path = PathFor(fileName);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    // Creates a sparse raw disk image of sizeBytes whose first bytes are header.
    public string CreateDiskImage(string fileName, long sizeBytes, ReadOnlySpan<byte> header = default)
    {
        string path = PathFor(fileName);
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.Write(header);
        fs.SetLength(sizeBytes);
        return path;
    }

    // Adds a job (see LabJob for its environment). Names: letters, digits, '-' and '_';
    // by default job0, job1, ...
    public LabJob AddJob(string script, string? name = null)
    {
        if (_booted) throw new InvalidOperationException("jobs must be added before BootAsync");
        name ??= $"job{_jobs.Count}";
        if (!JobNameRegex().IsMatch(name) || name == "bin" || _jobs.Any(j => j.Name == name))
            throw new ArgumentException($"bad or duplicate job name '{name}'", nameof(name));
        string scriptPath = PathFor(name + ".sh");
        File.WriteAllText(scriptPath, script.Replace("\r\n", "\n"));
        var job = new LabJob(name, script, scriptPath, PathFor(name + ".out"));
        _jobs.Add(job);
        return job;
    }

    // Boots level 2, runs every job and returns when the guest powered off. Throws
    // LabRunException (with the result so far) if the guest did not run all jobs to their
    // end: timeout, kernel panic, init failure, QEMU error. A job's non-zero exit is not an
    // exception: look at result.Jobs or call result.EnsureSuccess().
    public async Task<Level2Result> BootAsync(CancellationToken cancellationToken = default)
    {
        if (_booted) throw new InvalidOperationException("a Level2Run boots once");
        if (_jobs.Count == 0) throw new InvalidOperationException("add at least one job");
        _booted = true;
        _env.EnsureLevel2();
        if (!ShellQuote.IsPlainPath(Directory))
            throw new LabException($"run directory '{Directory}' must be a plain path (no spaces, commas or shell characters)");

        string initrd = Level2Initramfs.GetOrBuild(_env);
        LabHelpers.Install(PathFor("bin"));
        if (!Options.ShareHostTmp)
            CreateScratchDisk();
        File.WriteAllText(PathFor("jobs.list"), string.Concat(_jobs.Select(j => j.Name + "\n")));
        string consoleLog = PathFor("console.log");

        var lockWatch = Stopwatch.StartNew();
        using var labLock = await LabLock.AcquireAsync(_env.CacheDirectory, Options.LockWait, cancellationToken).ConfigureAwait(false);
        TimeSpan lockWait = lockWatch.Elapsed;

        // coreutils timeout is a backstop that ends QEMU even if this process dies without
        // killing it (a test host killed by a hang detector); the real limit is below.
        string? backstop = File.Exists("/usr/bin/timeout") ? "/usr/bin/timeout" : null;
        var psi = new ProcessStartInfo(backstop ?? _env.QemuPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (backstop is not null)
        {
            foreach (string a in new[] { "-k", "10", ((int)Options.Timeout.TotalSeconds + 60).ToString(CultureInfo.InvariantCulture), _env.QemuPath! })
                psi.ArgumentList.Add(a);
        }
        foreach (string a in QemuArguments(initrd))
            psi.ArgumentList.Add(a);

        var console = new StringBuilder();
        var stderr = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new LabException($"cannot start {_env.QemuPath}");
        process.StandardInput.Close();
        bool timedOut = false;
        bool stalled = false;
        int? exitCode = null;
        await using (var log = new StreamWriter(consoleLog, append: false, Encoding.UTF8) { AutoFlush = true })
        {
            Task stdoutPump = PumpAsync(process.StandardOutput, line =>
            {
                lock (console) console.Append(line).Append('\n');
                log.WriteLine(line);
                try { Options.ConsoleLine?.Invoke(line); }
                catch (InvalidOperationException) { } // e.g. a test output helper after the test ended
            });
            Task stderrPump = PumpAsync(process.StandardError, line => { lock (stderr) stderr.Append(line).Append('\n'); });

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.Timeout);
            using var watchdogStop = new CancellationTokenSource();
            Task<bool> stallWatch = Options.StallTimeout > TimeSpan.Zero
                ? WatchForStallAsync(() => { lock (console) return console.Length; }, timeout, watchdogStop.Token)
                : Task.FromResult(false);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                exitCode = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                timedOut = !cancellationToken.IsCancellationRequested;
                Kill(process);
            }
            finally
            {
                if (!process.HasExited) Kill(process);
                await watchdogStop.CancelAsync().ConfigureAwait(false);
            }
            stalled = await stallWatch.ConfigureAwait(false);
            // The pumps end at EOF, which comes when QEMU exits.
            await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
        }
        watch.Stop();
        cancellationToken.ThrowIfCancellationRequested();

        string consoleText;
        lock (console) consoleText = console.ToString();
        string stderrText;
        lock (stderr) stderrText = stderr.ToString();
        File.WriteAllText(PathFor("qemu-stderr.log"), stderrText);
        var result = Level2Result.Collect(_jobs, consoleText, stderrText, consoleLog, Directory, exitCode, timedOut, stalled, watch.Elapsed, lockWait, ReadHangDumps());
        Result = result;
        Level2Journal.Record(_env, string.Create(CultureInfo.InvariantCulture,
            $"boot {Path.GetFileName(Directory)} jobs={string.Join(',', _jobs.Select(j => j.Name))} qemu={watch.Elapsed.TotalSeconds:F1}s lockwait={lockWait.TotalSeconds:F1}s "
            + $"result={(result.Completed ? (result.Succeeded ? "ok" : "job-failed") : stalled ? "stalled" : timedOut ? "timed-out" : "crashed")}"));
        if (!result.Completed)
        {
            string why = stalled ? $"level 2 made no progress for {Options.StallTimeout.TotalSeconds:F0} s (no console or job output) and was stopped"
                : timedOut ? $"level 2 timed out after {Options.Timeout.TotalSeconds:F0} s"
                : "level 2 stopped before running all jobs";
            throw new LabRunException($"{why}\n{result.Describe()}", result);
        }
        _succeeded = result.Succeeded;
        return result;
    }

    // The full QEMU command line (shared/LAB.md's recipe plus Options).
    public IReadOnlyList<string> QemuArguments(string initrd)
    {
        var append = new List<string>
        {
            "console=ttyS0", "panic=-1", "quiet", "intel_iommu=on", "iommu=pt",
            // Under host load QEMU-TCG's level 2 failed the kernel's IO-APIC timer check now and
            // then ("timer doesn't work through Interrupt-remapped IO-APIC"): the timer works, late.
            "no_timer_check",
            $"lab.run={Directory}", $"lab.rootcache={Options.RootCacheMode}", $"lab.tmp={(Options.ShareHostTmp ? "host" : "disk")}",
            $"lab.hangdump={Options.HangDumpAfter.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}",
        };
        if (!Options.ShareHostTmp)
        {
            foreach (string keep in TmpPathsToKeep())
                append.Add($"lab.tmpkeep={keep}");
        }
        if (_env.KernelRoot.Length > 0)
            append.Add($"lab.kernel={_env.KernelPath}");
        append.AddRange(Options.KernelArgs);
        var args = new List<string>
        {
            "-accel", "tcg",
            "-M", "q35,kernel-irqchip=split",
            "-cpu", "EPYC,+svm,+npt",
            "-smp", Options.Cpus.ToString(CultureInfo.InvariantCulture),
            "-m", Options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nographic", "-no-reboot", "-nic", "none", "-vga", "none",
            "-device", "intel-iommu,intremap=on,caching-mode=on",
            "-kernel", _env.KernelPath!,
            "-initrd", initrd,
            "-append", string.Join(' ', append),
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=passthrough,id=hr,multidevs=remap",
            "-virtfs", $"local,path={Directory},mount_tag=labrun,security_model=passthrough,id=lr,multidevs=remap",
        };
        if (!Options.ShareHostTmp)
            args.AddRange(["-drive", $"file={PathFor(ScratchImage)},if=virtio,format=raw,cache=unsafe,discard=unmap"]);
        args.AddRange(Options.QemuArgs);
        return args;
    }

    // The scratch disk behind level 2's /tmp (Level2Options.ShareHostTmp).
    const string ScratchImage = "scratch.img";

    // An empty ext4 file system in a sparse file: no journal (nothing on it outlives the
    // run) and lazily initialized inode tables, so it is made in a fraction of a second.
    void CreateScratchDisk()
    {
        string image = PathFor(ScratchImage);
        using (var file = new FileStream(image, FileMode.Create, FileAccess.Write))
            file.SetLength(Options.ScratchBytes);
        var psi = new ProcessStartInfo(_env.MkfsExt4Path!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-q", "-F", "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", "-L", "labtmp", image })
            psi.ArgumentList.Add(a);
        using var mkfs = Process.Start(psi) ?? throw new LabException($"cannot start {_env.MkfsExt4Path}");
        string errors = mkfs.StandardError.ReadToEnd() + mkfs.StandardOutput.ReadToEnd();
        mkfs.WaitForExit();
        if (mkfs.ExitCode != 0)
            throw new LabException($"{_env.MkfsExt4Path} {image} failed ({mkfs.ExitCode}): {errors}");
    }

    // Directories under /tmp to bind back over level 2's scratch /tmp.
    IEnumerable<string> TmpPathsToKeep()
    {
        var candidates = new List<string>(Options.VisibleTmpPaths) { Environment.CurrentDirectory };
        string? dir = AppContext.BaseDirectory.TrimEnd('/');
        string? root = null;
        for (string? d = dir; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (System.IO.Directory.Exists(Path.Combine(d, ".git")) || File.Exists(Path.Combine(d, ".git")))
            {
                root = d;
                break;
            }
        }
        candidates.Add(root ?? dir);
        var keep = new List<string>();
        foreach (string c in candidates.Select(c => Path.GetFullPath(c).TrimEnd('/')).Distinct())
        {
            if (!c.StartsWith("/tmp/", StringComparison.Ordinal))
                continue;
            if (!ShellQuote.IsPlainPath(c))
                throw new LabException($"'{c}' is under /tmp and must stay visible in level 2, but is not a plain path (no spaces, commas or shell characters)");
            if (!keep.Any(k => c.StartsWith(k + "/", StringComparison.Ordinal)))
                keep.Add(c);
        }
        return keep;
    }

    public void Dispose()
    {
        // Nothing on the scratch /tmp outlives level 2, failed runs included.
        try { File.Delete(PathFor(ScratchImage)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if ((_succeeded || !_booted) && !LabEnvironment.KeepRunDirectories)
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    // Polls the console length and the sizes of the run directory's files; when none of
    // them changed for Options.StallTimeout, cancels `timeout` and returns true. Returns
    // false once `stop` is cancelled (QEMU exited) or the timeout fired for another reason.
    async Task<bool> WatchForStallAsync(Func<int> consoleLength, CancellationTokenSource timeout, CancellationToken stop)
    {
        TimeSpan poll = Options.StallTimeout < TimeSpan.FromSeconds(50) ? Options.StallTimeout / 5 : TimeSpan.FromSeconds(10);
        long last = -1;
        var sinceChange = Stopwatch.StartNew();
        try
        {
            while (!timeout.IsCancellationRequested)
            {
                await Task.Delay(poll, stop).ConfigureAwait(false);
                long progress = consoleLength() + RunDirectoryBytes();
                if (progress != last)
                {
                    last = progress;
                    sinceChange.Restart();
                }
                else if (sinceChange.Elapsed >= Options.StallTimeout)
                {
                    await timeout.CancelAsync().ConfigureAwait(false);
                    return true;
                }
            }
        }
        catch (OperationCanceledException) { }
        return false;
    }

    // The <job>.hang files level 2's init wrote for jobs that went quiet (Level2Initramfs).
    string ReadHangDumps()
    {
        var sb = new StringBuilder();
        foreach (var job in _jobs)
        {
            string path = PathFor($"{job.Name}.hang");
            if (File.Exists(path))
                sb.Append(CultureInfo.InvariantCulture, $"--- {path}:\n").Append(File.ReadAllText(path));
        }
        return sb.ToString();
    }

    // Total size of the files directly in the run directory (job outputs, level-3 consoles).
    long RunDirectoryBytes()
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            try { total += file.Length; }
            catch (IOException) { } // deleted between listing and reading
        }
        return total;
    }

    static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            onLine(line.Replace("\r", ""));
    }

    static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        try { process.WaitForExit(10_000); }
        catch (InvalidOperationException) { }
    }

    static void PruneOldRuns(string runs)
    {
        foreach (string d in System.IO.Directory.EnumerateDirectories(runs))
        {
            try
            {
                if (System.IO.Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow.AddDays(-2))
                    System.IO.Directory.Delete(d, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex JobNameRegex();
}
