namespace Emu.Lab;

// The anchor of the migration comparison (issue 16): QEMU 10.0.2 from Debian's
// bookworm-backports with its firmware data and seabios 1.16.3, unpacked by
// scripts/lab/fetch-qemu10.sh into <cache>/qemu-10.0.2, never installed (level 2 keeps
// Debian's QEMU 7.2, whose VFIO migration only speaks the old v1 protocol). It is
// started with -L pointing at its own data directories. On Debian's kernels (no
// IOMMUFD, so device DMA logging's report fails) its vfio-pci needs
// x-device-dirty-page-tracking=off,enable-migration=on to migrate an mdev.
public static class Qemu10
{
    public const string Version = "10.0.2";

    const string Script = "scripts/lab/fetch-qemu10.sh";

    // The properties QEMU 10's vfio-pci needs to migrate a device on Debian's kernel.
    public const string VfioMigrationProperties = "x-device-dirty-page-tracking=off,enable-migration=on";

    // Where the unpacked packages live in the cache.
    public static string Root(LabEnvironment env) => Path.Combine(env.CacheDirectory, $"qemu-{Version}");

    // The shell words that start it: the binary and its -L data directories, fetching the
    // packages on first use (apt-get download; a few seconds). Throws
    // LabUnavailableException when they cannot be had.
    public static string Command(LabEnvironment env)
    {
        string root = Root(env);
        if (!File.Exists(Path.Combine(root, ".complete")))
            LabScript.Run(Script, env);
        return ShellQuote.Join([
            Path.Combine(root, "usr/bin/qemu-system-x86_64"),
            "-L", Path.Combine(root, "usr/share/qemu"),
            "-L", Path.Combine(root, "usr/share/seabios")]);
    }
}
