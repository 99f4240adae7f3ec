using Emu.Lab;

namespace Emu.Host.Tests.Migration;

/// <summary>
/// Debian's Linux at level 1 on the software CPU for migration tests: a
/// virtio-blk disk, virtio-rng and a virtio console. The guest counts (a
/// "tick N" line every 0.2 s of its time) all the while, and writes numbered
/// 4 KiB blocks to the disk, 16 at a time with an fsync each, printing
/// "wrote N", then sleeping 0.2 s: the writes must outlast the migration,
/// which the NativeAOT emu converges in about a second (unpaced, the guest
/// wrote its last block before the destination ran); when all are written it syncs, drops its caches, reads them
/// back, reads /dev/hwrng, writes to hvc0, stops counting and powers off.
/// </summary>
internal sealed class LinuxMigrationGuest
{
    public const int Blocks = 1024;
    public const string HvcText = "EMU-MIG-HVC0";

    private static readonly string s_script =
        "for i in $(seq 50); do [ -b /dev/vda ] && break; sleep 0.2; done\n"
        + MigrationGuestParts.Counter("/tmp/done")
        + $"b=0\nwhile [ $b -lt {Blocks} ]; do\n"
        + MigrationGuestParts.WriteBlocks("/dev/vda", 16)
        + $$"""
        sleep 0.2
        done
        sync; echo 3 > /proc/sys/vm/drop_caches
        echo "readback=$(dd if=/dev/vda bs=65536 count={{Blocks / 16}} 2>/dev/null | grep -c '^EMU-MIG-BLOCK-')"
        echo "rng_bytes=$(dd if=/dev/hwrng bs=16 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
        echo {{HvcText}} > /dev/hvc0; echo "hvc_rc=$?"
        touch /tmp/done; wait
        """;

    private LinuxMigrationGuest(string directory, string vmlinux, Level3Guest guest)
    {
        Directory = directory;
        Vmlinux = vmlinux;
        Guest = guest;
        Disk = Path.Combine(directory, "disk.img");
        File.WriteAllBytes(Disk, new byte[8 << 20]);
    }

    public string Directory { get; }

    public string Vmlinux { get; }

    public Level3Guest Guest { get; }

    /// <summary>The disk image both emu processes open (shared storage).</summary>
    public string Disk { get; }

    public static LinuxMigrationGuest Create()
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        Level3Guest guest = Level3Guest.Create(s_script, "virtio_pci", "virtio_blk", "virtio_console", "virtio_rng");
        return new LinuxMigrationGuest(System.IO.Directory.CreateTempSubdirectory("emu-mig-linux-").FullName, vmlinux, guest);
    }

    /// <summary>emu's arguments; <paramref name="hvc"/> is where this process's virtio console goes.</summary>
    public string[] Arguments(string hvc, params string[] extra) =>
    [
        "-accel", "tcg", "-machine", "q35", "-m", "256M", "-display", "none", "-no-reboot",
        "-drive", $"file={Disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0,id=disk0",
        "-device", "virtio-rng-pci,id=rng0",
        "-chardev", $"file,id=c0,path={hvc}", "-device", "virtio-serial-pci,chardev=c0,id=console0",
        "-kernel", Vmlinux, "-initrd", Guest.InitrdPath, "-append", Guest.KernelCommandLine,
        .. extra,
    ];

    /// <summary>The guest's tick numbers in the order they were printed.</summary>
    public static List<long> Ticks(IEnumerable<string> lines) => MigrationGuestParts.Ticks(lines);

    /// <summary>Blocks whose content in the image is not "EMU-MIG-BLOCK-N" padded with spaces to 4095 bytes and a newline.</summary>
    public List<int> MissingBlocks() => MigrationGuestParts.MissingBlocks(Disk, Blocks);

    public void Delete() => System.IO.Directory.Delete(Directory, recursive: true);
}
