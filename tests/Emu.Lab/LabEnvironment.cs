namespace Emu.Lab;

// What this machine offers the lab, discovered once per process (shared/LAB.md):
// the QEMU binary, the Debian kernel and its modules, a static busybox, kmod's modprobe,
// e2fsprogs' mkfs.ext4 (level 2's scratch /tmp)
// and a writable cache directory. Nothing is hard-coded to a kernel version: the newest
// /boot/vmlinuz-<ver> that has /lib/modules/<ver>/modules.dep wins, unless
// EMU_LAB_KERNEL_VERSION names one.
//
// Environment variables:
//   CI=true                  missing prerequisites fail tests instead of skipping them
//   EMU_LAB_CACHE            cache directory (default /var/tmp/emu-lab)
//   EMU_LAB_QEMU             path of qemu-system-x86_64 (default: search PATH)
//   EMU_LAB_KERNEL_VERSION   kernel version to use for levels 2 and 3
//   EMU_LAB_KEEP=1           keep every run directory, not only the failed ones
public sealed class LabEnvironment
{
    static readonly Lazy<LabEnvironment> s_current = new(Detect);

    // The environment of this process, detected on first use.
    public static LabEnvironment Current => s_current.Value;

    // True when CI=true (or 1): missing prerequisites are failures, not skips.
    public static bool IsCi
    {
        get
        {
            string? ci = Environment.GetEnvironmentVariable("CI");
            return ci is not null && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");
        }
    }

    // True when EMU_LAB_KEEP=1: run directories are kept even after a successful run.
    public static bool KeepRunDirectories => Environment.GetEnvironmentVariable("EMU_LAB_KEEP") is "1" or "true";

    public string? QemuPath { get; private init; }
    public string? KernelVersion { get; private init; }
    public string? KernelPath { get; private init; }
    public string? ModulesDirectory { get; private init; }
    public string? BusyboxPath { get; private init; }
    public string? ModprobePath { get; private init; }
    public string? MkfsExt4Path { get; private init; }
    public string CacheDirectory { get; private init; } = "";

    // The root of an unpacked kernel (its boot/ and lib/modules/) when the lab runs one that
    // is not installed on the host (WithKernel); "" for the host's own /boot and /lib/modules.
    public string KernelRoot { get; private init; } = "";

    // Modules loaded at level-2 boot besides Level2Initramfs.Modules (e.g. mdev, mtty).
    public IReadOnlyList<string> ExtraLevel2Modules { get; private init; } = [];

    // This environment with level 2 (and level 3) on another kernel, unpacked under `root`
    // (root/boot/vmlinuz-<ver>, root/lib/modules/<ver>/modules.dep), loading `extraModules`
    // at boot as well. Used for kernels that are not installed, so other runs keep theirs.
    public LabEnvironment WithKernel(string root, string version, IEnumerable<string> extraModules)
    {
        string kernel = Path.Combine(root, "boot", $"vmlinuz-{version}");
        string modules = Path.Combine(root, "lib", "modules", version);
        var missing = Missing.ToList();
        if (!File.Exists(kernel) || !File.Exists(Path.Combine(modules, "modules.dep")))
            missing.Add($"{kernel} or {modules}/modules.dep is missing");
        return new LabEnvironment
        {
            QemuPath = QemuPath,
            KernelVersion = version,
            KernelPath = kernel,
            ModulesDirectory = modules,
            BusyboxPath = BusyboxPath,
            ModprobePath = ModprobePath,
            MkfsExt4Path = MkfsExt4Path,
            CacheDirectory = CacheDirectory,
            KernelRoot = root,
            ExtraLevel2Modules = extraModules.ToList(),
            Missing = missing,
        };
    }

    // Human-readable list of what is missing for level-2 runs; empty when the lab can run.
    public IReadOnlyList<string> Missing { get; private init; } = [];

    public bool CanRunLevel2 => Missing.Count == 0;

    // One line naming everything missing, or null when the lab can run.
    public string? MissingReason => Missing.Count == 0
        ? null
        : "nested lab unavailable: " + string.Join("; ", Missing)
          + " (Debian packages: qemu-system-x86 linux-image-amd64 busybox-static kmod e2fsprogs)";

    // Throws LabUnavailableException when the lab cannot run here.
    public void EnsureLevel2()
    {
        if (MissingReason is { } reason)
            throw new LabUnavailableException(reason);
    }

    // Detects the environment afresh (Current caches one detection per process).
    public static LabEnvironment Detect() => Detect(Environment.GetEnvironmentVariable);

    // The same, with the EMU_LAB_* variables read through `variable` (tests give their own).
    public static LabEnvironment Detect(Func<string, string?> variable)
    {
        var missing = new List<string>();

        string? qemu = variable("EMU_LAB_QEMU") is { Length: > 0 } q
            ? (File.Exists(q) ? q : null)
            : FindOnPath("qemu-system-x86_64");
        if (qemu is null)
            missing.Add("qemu-system-x86_64 not found");

        string? version = FindKernelVersion(variable("EMU_LAB_KERNEL_VERSION"), out string? kernelProblem);
        string? kernel = null, modules = null;
        if (version is null)
        {
            missing.Add(kernelProblem ?? "no kernel");
        }
        else
        {
            kernel = $"/boot/vmlinuz-{version}";
            modules = $"/lib/modules/{version}";
            if (!IsReadable(kernel))
                missing.Add($"{kernel} is not readable");
        }

        string? busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists);
        if (busybox is null)
            missing.Add("busybox not found");
        else if (!Elf.IsStaticExecutable(busybox))
        {
            missing.Add($"{busybox} is not statically linked (install busybox-static)");
            busybox = null;
        }

        string? modprobe = new[] { "/usr/sbin/modprobe", "/sbin/modprobe" }.FirstOrDefault(File.Exists)
                           ?? FindOnPath("modprobe");
        if (modprobe is null)
            missing.Add("modprobe (kmod) not found");

        string? mkfs = new[] { "/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4" }.FirstOrDefault(File.Exists);
        if (mkfs is null)
            missing.Add("mkfs.ext4 (e2fsprogs) not found");

        string cache = variable("EMU_LAB_CACHE") is { Length: > 0 } c
            ? Path.GetFullPath(c)
            : "/var/tmp/emu-lab";
        if (!ShellQuote.IsPlainPath(cache))
            missing.Add($"cache directory '{cache}' must be an absolute path without spaces or shell characters");
        else
        {
            try
            {
                Directory.CreateDirectory(cache);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                missing.Add($"cache directory {cache} cannot be created: {e.Message}");
            }
        }

        return new LabEnvironment
        {
            QemuPath = qemu,
            KernelVersion = version,
            KernelPath = kernel,
            ModulesDirectory = modules,
            BusyboxPath = busybox,
            ModprobePath = modprobe,
            MkfsExt4Path = mkfs,
            CacheDirectory = cache,
            Missing = missing,
        };
    }

    static string? FindKernelVersion(string? wanted, out string? problem)
    {
        problem = null;
        if (!string.IsNullOrEmpty(wanted))
        {
            if (File.Exists($"/boot/vmlinuz-{wanted}") && File.Exists($"/lib/modules/{wanted}/modules.dep"))
                return wanted;
            problem = $"EMU_LAB_KERNEL_VERSION={wanted} but /boot/vmlinuz-{wanted} or /lib/modules/{wanted}/modules.dep is missing";
            return null;
        }

        if (!Directory.Exists("/boot"))
        {
            problem = "no /boot directory (install linux-image-amd64)";
            return null;
        }

        var versions = Directory.EnumerateFiles("/boot", "vmlinuz-*")
            .Select(p => Path.GetFileName(p)["vmlinuz-".Length..])
            .Where(v => File.Exists($"/lib/modules/{v}/modules.dep"))
            .ToList();
        if (versions.Count == 0)
        {
            problem = "no /boot/vmlinuz-<ver> with /lib/modules/<ver>/modules.dep (install linux-image-amd64)";
            return null;
        }
        versions.Sort(VersionComparer.Instance);
        return versions[^1];
    }

    static bool IsReadable(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Full path of an executable found in $PATH, or null.
    public static string? FindOnPath(string name)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
