using System.Globalization;
using System.Text;

namespace Emu.Lab.Tests;

// emu's live migration and snapshots against QEMU 10 (issue 16, "Measure"), in one
// level-2 boot of the nested lab running Linux 6.12 with the mtty sample mdev driver
// (MttyKernel). The same level-3 guest (Debian's kernel, busybox, 256 MiB, one vCPU,
// virtio-blk, virtio-net on a level-2 tap, an mtty-2 mdev) runs under QEMU 10.0.2
// (-accel kvm, Qemu10) and under emu (-accel kvm), alternately, for a number of rounds.
// Each round and VMM: boot the guest, migrate it live over unix: to a second process of
// the same VMM (on a second mdev and tap), take a snapshot of the destination (stop +
// migrate file: on level 2's tmpfs) and restore it into a third process (-incoming defer
// + migrate-incoming + cont). The guest prints a tick every second; the destination and
// the restored VM must print one, which shows they run. The job prints one line per step:
//   round R VMM live status=completed total-time=T downtime=D setup-time=S ... wall=W
//   round R VMM save status=completed total-time=T ... wall=W      (stop to completed)
//   round R VMM restore status=running wall=W load=L               (migrate-incoming to running)
public sealed class MigrationBenchLabRun
{
    public const int MemoryMiB = 256;

    // The level-3 guest: ready once booted, then a tick a second on the console.
    const string GuestScript = """
        ip link set eth0 up 2>/dev/null
        echo "ready serial=$(ls /sys/bus/pci/drivers/serial 2>/dev/null | grep -c :) blocks=$(ls /sys/block | tr '\n' ,)"
        i=0
        while :; do i=$((i + 1)); echo "tick $i"; sleep 1; done
        """;

    MigrationBenchLabRun(Level2Result result, int rounds)
    {
        Result = result;
        Rounds = rounds;
    }

    public Level2Result Result { get; }

    public int Rounds { get; }

    // EMU_MIGBENCH_ROUNDS (1-12; benchmarks/migration/run.sh sets it), else 1.
    public static int RoundsFromEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("EMU_MIGBENCH_ROUNDS");
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 12) : 1;
    }

    public static async Task<MigrationBenchLabRun> RunAsync(int rounds, Action<string> log)
    {
        LabEnvironment env = MttyKernel.Environment();
        string qemu = Qemu10.Command(env);
        var options = new Level2Options
        {
            ConsoleLine = line => log("L2| " + line),
            Timeout = TimeSpan.FromMinutes(15 + 8 * rounds),
        };
        var level3 = new Level3Options { CheckScript = GuestScript };
        level3.Modules.AddRange(["virtio_pci", "virtio_blk", "virtio_net"]);
        Level3Guest guest = Level3Guest.Create(level3, env);
        Level2Result result = await Level2Retry.RunAsync(async () =>
        {
            using var run = Level2Run.Create(options, env);
            run.WriteFile(MigrationBenchTool.FileName, MigrationBenchTool.Script);
            string disk = run.CreateDiskImage("disk.img", 64 << 20, "EMU-MIGBENCH-DISK"u8);
            run.AddJob(JobScript(rounds, qemu, disk, guest), "migbench");
            return await run.BootAsync();
        }, log);
        return new MigrationBenchLabRun(result, rounds);
    }

    static string JobScript(int rounds, string qemu, string disk, Level3Guest guest)
    {
        string emu = InstalledEmu.ShellCommand;
        // EMU_MIGBENCH_PERF=1: each restore runs under perf record, and the job prints the top
        // of perf report (where a VMM's load time goes, kernel included).
        string perf = Environment.GetEnvironmentVariable("EMU_MIGBENCH_PERF") == "1" ? "1" : "";
        string common = $"-m {MemoryMiB} -smp 1 -nographic -no-reboot -vga none " +
            $"-drive file={ShellQuote.Quote(disk)},if=none,id=d0,format=raw,cache=none -device virtio-blk-pci,drive=d0 " +
            "-netdev tap,id=n0,ifname=$2,script=no,downscript=no " + guest.BootArgs;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            echo kernel=$(uname -r)
            echo "emu={{emu}}"
            perf={{perf}}
            tool="python3 $LAB_DIR/{{MigrationBenchTool.FileName}}"
            set -- $(lab-mdev mtty-2); mdevA=$2
            set -- $(lab-mdev mtty-2); mdevB=$2
            for t in mbtap0 mbtap1; do ip tuntap add dev $t mode tap && ip link set $t up; done
            # vmm_start VMM MDEV TAP QMP-SOCKET NAME [EXTRA...]: start a VMM in the background, console in NAME.con
            vmm_start() {
                v=$1; shift
                case $v in
                    emu) cmd="{{emu}} -machine q35 -accel kvm -cpu host {{common}} -device virtio-net-pci,netdev=n0 -device vfio-pci,sysfsdev=$1,id=mtty0" ;;
                    qemu) cmd="{{qemu}} -machine q35 -accel kvm -cpu host -nic none {{common}} -device virtio-net-pci,netdev=n0,romfile= -device vfio-pci,sysfsdev=$1,id=mtty0,{{Qemu10.VfioMigrationProperties}}" ;;
                esac
                qmp=$3; name=$4; shift 4
                rm -f "$qmp"
                eval "timeout -k 5 300 $cmd -qmp unix:$qmp,server=on,wait=off $*" </dev/null >"/tmp/$name.con" 2>"/tmp/$name.err" &
                last_pid=$!
            }
            stop_all() { $tool quit /tmp/src.qmp /tmp/dst.qmp /tmp/rst.qmp >/dev/null 2>&1; for q in $pids; do wait $q; done; pids=; }
            # round R VMM
            bench() {
                r=$1; v=$2; p="round $r $v"; pids=
                rm -f /tmp/mig.sock /tmp/snap.bin
                vmm_start $v $mdevA mbtap0 /tmp/src.qmp $v-$r-src; pids="$pids $last_pid"
                out=$($tool wait-console /tmp/$v-$r-src.con "@L3@ tick 3" 240); rc=$?
                echo "$p boot $out"
                if [ $rc != 0 ]; then stop_all; tail -n 20 /tmp/$v-$r-src.err /tmp/$v-$r-src.con | sed "s/^/$p boot-failed: /"; return; fi
                grep -ah "@L3@ ready" /tmp/$v-$r-src.con | sed "s/^.*@L3@ /$p guest /"
                vmm_start $v $mdevB mbtap1 /tmp/dst.qmp $v-$r-dst -incoming unix:/tmp/mig.sock; pids="$pids $last_pid"
                $tool live /tmp/src.qmp /tmp/dst.qmp unix:/tmp/mig.sock 2>&1 | sed "s/^/$p /"
                $tool wait-console /tmp/$v-$r-dst.con "@L3@ tick" 30 | sed "s/^/$p live-dst /"
                $tool save /tmp/dst.qmp /tmp/snap.bin 2>&1 | sed "s/^/$p /"
                echo "$p snapshot-bytes $(stat -c %s /tmp/snap.bin 2>/dev/null)"
                stop_all
                vmm_start $v $mdevA mbtap0 /tmp/rst.qmp $v-$r-rst -incoming defer; pids="$pids $last_pid"
                [ -n "$perf" ] && { perf record -q -F 499 -a -o /tmp/rst.perf 2>/dev/null & perf_pid=$!; sleep 1; }
                $tool restore /tmp/rst.qmp /tmp/snap.bin 2>&1 | sed "s/^/$p /"
                if [ -n "$perf" ]; then
                    kill -INT $perf_pid; wait $perf_pid
                    perf report -i /tmp/rst.perf --stdio --sort comm,dso,sym 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 25 | sed "s/^/$p perf: /"
                    rm -f /tmp/rst.perf
                fi
                $tool wait-console /tmp/$v-$r-rst.con "@L3@ tick" 30 | sed "s/^/$p restored /"
                stop_all
                for s in src dst rst; do tail -n 3 /tmp/$v-$r-$s.err | sed "s/^/$p $s-stderr: /"; done
                rm -f /tmp/snap.bin
            }

            """);
        for (int r = 1; r <= rounds; r++)
        {
            // Alternate which VMM goes first, so that neither always runs on a level 2 that just
            // booted the other's guest.
            (string first, string second) = r % 2 == 1 ? ("qemu", "emu") : ("emu", "qemu");
            sb.Append(CultureInfo.InvariantCulture, $"bench {r} {first}\nbench {r} {second}\n");
        }
        sb.Append("for t in mbtap0 mbtap1; do ip link del $t; done\necho migbench-done\n");
        return sb.ToString();
    }
}
