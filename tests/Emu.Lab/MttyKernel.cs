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
            LabScript.Run(Script, env);
        LabEnvironment mtty = env.WithKernel(root, Version, Modules);
        mtty.EnsureLevel2();
        return mtty;
    }
}
