using System.Text;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// VFIO device migration (uAPI v2) on a real device: level 2 runs Debian's Linux
// 6.12.118 (unpacked, with the mtty sample mdev driver built out of tree, MttyKernel),
// makes mtty mediated devices, and emu opens them with vfio-pci,sysfsdev=. Bytes put into
// the source device's FIFO must come out of the destination device after a snapshot
// (stop + migrate file:) and a restore (-incoming defer + migrate-incoming) into a second
// emu with a second mdev; a destination with another mdev type (mtty-1) must refuse the
// device stream. The guest is the software CPU's (-accel tcg), stopped throughout: KVM
// vCPU state is not migratable yet, and a stopped guest is what a snapshot is.
public class MttyMigrationLabTests(ITestOutputHelper output)
{
    static string Lines(params string[] lines)
    {
        var sb = new StringBuilder();
        foreach (string l in lines)
            sb.Append(l).Append('\n');
        return sb.ToString();
    }

    [LabFact]
    public async Task Mtty_fifo_bytes_survive_an_emu_snapshot_and_restore_into_another_mdev_on_Linux_6_12()
    {
        LabEnvironment env = MttyKernel.Environment();
        var options = new Level2Options { ConsoleLine = line => output.WriteLine("L2| " + line) };
        using var run = Level2Run.Create(options, env);
        run.WriteFile(MttyTool.FileName, MttyTool.Script);
        string emu = $"dotnet {ShellQuote.Quote(VfioLabRun.EmuDll)}";
        string machine = "-M q35 -accel tcg -m 64 -nographic -S";
        run.AddJob(Lines(
            "set -e",
            "echo kernel=$(uname -r)",
            "set -- $(lab-mdev mtty-2); src=$2",
            "set -- $(lab-mdev mtty-2); dst=$2",
            "set -- $(lab-mdev mtty-1); other=$2",
            "echo src=$src",
            "tool=\"python3 $LAB_DIR/mtty_tool.py\"",
            "$tool fifo-write $src hello-fifo",
            // Source: a stopped VM with the mdev; a snapshot to a file.
            $"{emu} {machine} -device vfio-pci,sysfsdev=$src,id=mtty0 -qmp unix:/tmp/src.qmp,server=on,wait=off >src.out 2>src.err & pid=$!",
            "$tool qmp /tmp/src.qmp query-status migrate '{\"uri\":\"file:'$LAB_DIR'/snap.bin\"}' wait-migrate quit",
            "wait $pid; echo src_exit=$?",
            "echo snap_bytes=$(stat -c %s snap.bin)",
            // Destination: a second emu with a second mtty-2 mdev loads it.
            $"{emu} {machine} -incoming defer -device vfio-pci,sysfsdev=$dst,id=mtty0 -qmp unix:/tmp/dst.qmp,server=on,wait=off >dst.out 2>dst.err & pid=$!",
            "$tool qmp /tmp/dst.qmp migrate-incoming '{\"uri\":\"file:'$LAB_DIR'/snap.bin\"}' wait-incoming quit",
            "wait $pid; echo dst_exit=$?",
            "$tool fifo-read $dst | sed 's/^/dst_/'",
            // An mtty-1 (one port) cannot take an mtty-2's state: the load fails, naming the device.
            "$tool fifo-write $other kept",
            $"{emu} {machine} -incoming defer -device vfio-pci,sysfsdev=$other,id=mtty0 -qmp unix:/tmp/other.qmp,server=on,wait=off >other.out 2>other.err & pid=$!",
            "$tool qmp /tmp/other.qmp migrate-incoming '{\"uri\":\"file:'$LAB_DIR'/snap.bin\",\"exit-on-error\":false}' wait-incoming quit",
            "wait $pid; echo other_exit=$?",
            "$tool fifo-read $other | sed 's/^/other_/'",
            "for f in src dst other; do echo \"--- $f.err\"; tail -n 5 $f.err; done"), "mtty");
        Level2Result r = await run.BootAsync();
        foreach (string line in r.Job.OutputLines)
            output.WriteLine("mtty| " + line);
        Assert.True(r.Completed, r.Describe());
        var lines = r.Job.OutputLines;
        Assert.True(r.Job.Succeeded, r.Describe());
        Assert.Contains($"kernel={MttyKernel.Version}", lines);
        string migrate = Assert.Single(lines, l => l.StartsWith("wait-migrate ", StringComparison.Ordinal));
        Assert.Contains("\"status\": \"completed\"", migrate);
        // mtty-2's state: a 16-byte header and two 40-byte ports.
        Assert.Contains("\"vfio\": {\"transferred\": 96}", migrate);
        Assert.Contains("src_exit=0", lines);
        string incoming = Assert.Single(lines, l => l.StartsWith("wait-incoming ", StringComparison.Ordinal) && l.Contains("completed", StringComparison.Ordinal));
        Assert.Contains("dst_exit=0", lines);
        Assert.Contains("dst_fifo=hello-fifo", lines);
        string refused = Assert.Single(lines, l => l.StartsWith("wait-incoming ", StringComparison.Ordinal) && !l.Contains("completed", StringComparison.Ordinal));
        Assert.Contains("vfio-pci", refused);
        Assert.Contains("refused the source's state", refused);
        Assert.Contains("other_fifo=kept", lines);
        output.WriteLine(incoming);
    }
}
