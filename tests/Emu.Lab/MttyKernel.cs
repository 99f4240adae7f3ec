using System.Diagnostics;

namespace Emu.Lab;

// The level-2 kernel of the VFIO migration tests (issue 16, shared/LAB.md): Debian's
// Linux 6.12 from bookworm-security, unpacked and not installed, with the kernel's sample
// mdev driver mtty (a PCI serial card whose FIFO is device state, with VFIO migration
// since Linux 6.7) built out of tree by scripts/lab/build-mtty-kernel.sh and cached
// under <cache>/kernel-<ver>. Level 2 boots it with vfio, vfio_iommu_type1, mdev and mtty
// loaded; `lab-mdev mtty-2` then makes a device. Debian builds it without IOMMUFD: only
// the group/container API, and device DMA logging's report fails with EOPNOTSUPP.
public static class MttyKernel
{
    public const string Version = "6.12.118+deb12-amd64";

    // Loaded at level-2 boot besides the lab's list (which has vfio and vfio_iommu_type1).
    public static readonly IReadOnlyList<string> Modules = ["mdev", "mtty"];

    const string Script = "scripts/lab/build-mtty-kernel.sh";

    // Where the unpacked kernel lives in the cache.
    public static string Root(LabEnvironment env) => Path.Combine(env.CacheDirectory, $"kernel-{Version}");

    // The environment whose level 2 runs this kernel, building it on first use (downloads
    // with apt-get; a few minutes). Throws LabUnavailableException when it cannot be had.
    public static LabEnvironment Environment(LabEnvironment? baseEnvironment = null)
    {
        LabEnvironment env = baseEnvironment ?? LabEnvironment.Current;
        env.EnsureLevel2();
        string root = Root(env);
        if (!File.Exists(Path.Combine(root, ".complete")))
            Build(env);
        LabEnvironment mtty = env.WithKernel(root, Version, Modules);
        mtty.EnsureLevel2();
        return mtty;
    }

    static void Build(LabEnvironment env)
    {
        string script = Path.Combine(RepositoryRoot(), Script);
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.Environment["EMU_LAB_CACHE"] = env.CacheDirectory;
        using var p = Process.Start(psi) ?? throw new LabUnavailableException($"cannot start {script}");
        var errors = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new LabUnavailableException($"{script} failed ({p.ExitCode}): {output.Trim()} {errors.GetAwaiter().GetResult().Trim()}");
    }

    static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory.TrimEnd('/'); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, Script)))
                return d;
        }
        throw new LabUnavailableException($"{Script} not found above {AppContext.BaseDirectory}");
    }
}
