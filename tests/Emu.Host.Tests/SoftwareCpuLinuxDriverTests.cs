using System.Diagnostics;
using System.Text;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Debian's virtio drivers on emu's devices with the software CPU at level 1 (no KVM
// anywhere): one -smp 2 boot with a writable and a read-only virtio-blk, virtio-rng and a
// virtio console on a file chardev; the level-3 check script (shared/LAB.md) uses each the
// way a user would, and runs a busybox fork/exec loop. The host then reads the image and
// the chardev file.
public sealed class SoftwareCpuLinuxDriverTests(ITestOutputHelper output)
{
    const string ReadOnlyMarker = "EMU-TCG-READONLY-DISK";
    const string HvcText = "EMU-TCG-HVC0-HELLO";
    const int PatternBlock = 16; // 4 KiB blocks: the pattern lands at 64 KiB
    const int ForkExecRounds = 200;

    // vda: writable, vdb: read-only. The pattern is built in the guest and written with dd;
    // its checksum is printed so the host can compare it with what reached the image file.
    static readonly string Script = $$"""
        for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vdb ] && break; sleep 0.2; done
        echo "blocks=$(ls /sys/block | grep vd | tr '\n' ',')"
        echo "vdb_ro=$(cat /sys/block/vdb/ro)"
        i=0; while [ $i -lt 256 ]; do printf 'EMU-TCG-VIRTIO-BLK-PATTERN-%04d\n' $i; i=$((i+1)); done > /tmp/pattern
        dd if=/tmp/pattern of=/dev/vda bs=4096 seek=16 conv=fsync 2>/dev/null; echo "write_rc=$?"
        sync; echo 3 > /proc/sys/vm/drop_caches
        echo "written_md5=$(md5sum < /tmp/pattern | cut -d' ' -f1)"
        echo "readback_md5=$(dd if=/dev/vda bs=4096 skip=16 count=2 2>/dev/null | md5sum | cut -d' ' -f1)"
        echo "vdb_head=$(head -c 21 /dev/vdb)"
        dd if=/tmp/pattern of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; echo "ro_write_rc=$?"
        echo "rng_current=$(cat /sys/class/misc/hw_random/rng_current)"
        echo "rng_bytes=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
        echo EMU-TCG-HVC0-HELLO > /dev/hvc0; echo "hvc_rc=$?"
        grep -E 'virtio[0-9]+-(req|request|input|output|virtqueues|control)' /proc/interrupts | sed 's/^/irq: /'
        echo "msix_vectors=$(cat /sys/bus/pci/devices/*/msi_irqs/* 2>/dev/null | grep -c msix)"
        echo "virtio_irqs=$(awk '/virtio/ {for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i} END {print s + 0}' /proc/interrupts)"
        t0=$(cut -d' ' -f1 /proc/uptime)
        n=0; ok=0; while [ $n -lt {{ForkExecRounds}} ]; do r=$(/bin/busybox echo x$n | /bin/busybox cat); [ "$r" = "x$n" ] && ok=$((ok+1)); n=$((n+1)); done
        echo "forkexec_ok=$ok"; echo "forkexec_s=$(awk "BEGIN {print $(cut -d' ' -f1 /proc/uptime) - $t0}")"
        """;

    [LabFact]
    public void Debian_virtio_drivers_work_on_emus_devices_on_the_software_cpu()
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        Level3Guest guest = Level3Guest.Create(Script, "virtio_pci", "virtio_blk", "virtio_console", "virtio_rng");
        string dir = Directory.CreateTempSubdirectory("emu-tcg-virtio-").FullName;
        try
        {
            string disk = Path.Combine(dir, "disk.img");
            string ro = Path.Combine(dir, "ro.img");
            string hvc = Path.Combine(dir, "hvc0.log");
            File.WriteAllBytes(disk, new byte[8 << 20]);
            byte[] roImage = new byte[1 << 20];
            Encoding.ASCII.GetBytes(ReadOnlyMarker).CopyTo(roImage, 0);
            File.WriteAllBytes(ro, roImage);

            var clock = Stopwatch.StartNew();
            EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(10), "-accel", "tcg", "-machine", "q35", "-smp", "2", "-m", "512M",
                "-nographic", "-no-reboot",
                "-drive", $"file={disk},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0",
                "-drive", $"file={ro},if=none,id=d1,format=raw,readonly=on", "-device", "virtio-blk-pci,drive=d1",
                "-device", "virtio-rng-pci",
                "-chardev", $"file,id=c0,path={hvc}", "-device", "virtio-serial-pci,chardev=c0",
                "-kernel", vmlinux, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine);
            output.WriteLine($"emu exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
            output.WriteLine(run.Stdout);
            output.WriteLine(run.Stderr);

            Level3Output console = Level3Output.Parse(run.Stdout);
            Assert.True(console.Completed, "the level-3 check script did not finish");
            Assert.Equal(0, console.ExitCode);
            Assert.Empty(console.Warnings);
            var c = new LinuxBootChecks(console.Lines);

            // virtio-blk: both disks appear, the second read-only; the guest's pattern is in the image file.
            Assert.Equal("vda,vdb,", c["blocks"]);
            Assert.Equal("0", c["write_rc"]);
            Assert.Equal(c["written_md5"], c["readback_md5"]);
            byte[] image = File.ReadAllBytes(disk);
            string written = Encoding.ASCII.GetString(image, PatternBlock * 4096, 2 * 4096);
            for (int i = 0; i < 256; i++)
                Assert.Contains($"EMU-TCG-VIRTIO-BLK-PATTERN-{i:D4}\n", written);
            Assert.Equal("1", c["vdb_ro"]);
            Assert.Equal(ReadOnlyMarker, c["vdb_head"]);
            Assert.NotEqual("0", c["ro_write_rc"]);
            Assert.Equal(roImage, File.ReadAllBytes(ro));

            // virtio-rng: the hwrng core picked it and /dev/hwrng gives 64 bytes, not all alike.
            Assert.StartsWith("virtio_rng", c["rng_current"]);
            string rng = c["rng_bytes"];
            Assert.Equal(128, rng.Length);
            Assert.True(rng.Distinct().Count() > 4, $"hwrng bytes look constant: {rng}");

            // The virtio console: the text reached the file chardev.
            Assert.Equal("0", c["hvc_rc"]);
            Assert.Contains(HvcText, File.ReadAllText(hvc));

            // MSI-X: each virtio device has its config vector and queue vectors (at least 2 per
            // disk), and those vectors count interrupts.
            Assert.True(c.Long("msix_vectors") >= 4, $"{c["msix_vectors"]} MSI-X vectors allocated");
            Assert.True(c.Long("virtio_irqs") > 0, "no interrupts on the virtio MSI-X vectors");

            // Processes: fork + exec in a loop, every round's output intact.
            Assert.Equal(ForkExecRounds, c.Long("forkexec_ok"));

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("", run.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
