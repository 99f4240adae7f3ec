using System.Globalization;
using System.Text;
using Emu.Lab;

namespace Emu.Lab.Tests;

// One level-2 boot (Linux 6.1, group/container path) for the vfio-pci acceptance tests
// with a real Linux guest at level 3: QEMU emulates an NVMe controller (on a 256 MiB image
// whose first sector holds a known pattern) and an e1000e (on a restricted user network
// whose gateway, 10.0.2.2, answers pings) in level 2; jobs bind them to vfio-pci and boot
// Debian's kernel under emu with -device vfio-pci, and once under QEMU for the comparison.
//
// Level 2 keeps Debian's default THP settings: emu's guest RAM is private anonymous
// memory that asks for huge pages, and gets them as QEMU's does. One job puts emu's guest
// RAM in a shared memfd instead (shmem: 4 KiB pages under the default shmem_enabled=never),
// which VFIO maps the same way, by host virtual address.
//
// Around each of the level-3 guest's reads the job samples KVM's exit counters in level
// 2's debugfs (/sys/kernel/debug/kvm/{exits,halt_exits,irq_exits,...}, the sum over all VMs:
// only one runs at a time), the same way for both VMMs, when the guest's markers appear on
// the console. The guest sleeps 3 s after each start marker, so the window [dd-start-N,
// dd-end-N] surely holds the whole read however late the console shows the markers. What
// an idle guest takes anyway (timer ticks, wakeups) is subtracted over the whole window at
// the rate measured over an idle window just before (idle-start, idle-end): the rest are
// the exits the read added. The comparison jobs read ReadCount times and count their
// least-disturbed read: level 2 is TCG on a shared machine, and a read that happens to run
// several times slower (it does, for either VMM) collects that many more timer and halt
// exits without the VMM doing anything differently.
public sealed class VfioLinuxLabRun
{
    public const string Pattern = "EMU-VFIO-NVME-OK";
    public const string Written = "WRITTEN-BY-LEVEL3";
    public const long WrittenOffset = 2048 * 512;
    public const int ReadMiB = 192;
    public const int ReadCount = 3;
    public const int MemoryMiB = 512;

    // Throughput on this lab swings several-fold from one read to the next for either VMM,
    // so one boot of each says little about it. EMU_VFIO_ROUNDS=N (benchmarks/vfio/run.sh)
    // boots each VMM N times, alternating emu and QEMU, for a median over 3N reads each; the
    // tests themselves need one round (the default).
    public static int ComparisonRounds { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("EMU_VFIO_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 1 ? Math.Min(n, 12) : 1;

    // The comparison job of `vmm` ("emu" or "qemu") in round `round` (1-based).
    public static string ComparisonJob(string vmm, int round) => round == 1 ? $"{vmm}-nvme" : $"{vmm}-nvme-r{round}";

    static readonly object s_lock = new();
    static Task<VfioLinuxLabRun>? s_run;

    VfioLinuxLabRun(Level2Result result, byte[] imageAtWrittenOffset)
    {
        Result = result;
        ImageAtWrittenOffset = imageAtWrittenOffset;
    }

    public Level2Result Result { get; }

    // The host's image file at WrittenOffset after the run (read before the run directory goes).
    public byte[] ImageAtWrittenOffset { get; }

    // One boot per test process: the tests share its result, or its failure (a failed boot
    // is not repeated for each test; it would hold the machine-wide lab lock again).
    public static Task<VfioLinuxLabRun> GetAsync(Action<string> log)
    {
        lock (s_lock)
            return s_run ??= RunAsync(log);
    }

    // What the level-3 guest does with the NVMe controller: read the pattern, write a new
    // one past it, then read ReadMiB MiB with O_DIRECT `reads` times between markers the job
    // watches (after an idle window that gives the idle exit rate).
    static string NvmeScript(int reads) => $$"""
        i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
        echo "driver=$(basename $(readlink /sys/class/nvme/nvme0/device/driver))"
        echo "pattern=$(head -c 16 /dev/nvme0n1)"
        printf '{{Written}}' | dd of=/dev/nvme0n1 bs=512 seek=2048 conv=fsync 2>/dev/null && sync
        echo "mark idle-start"
        sleep 3
        echo "mark idle-end"
        sleep 1
        r=1
        while [ $r -le {{reads}} ]; do
            echo "mark dd-start-$r"
            sleep 3
            t0=$(cut -d' ' -f1 /proc/uptime)
            dd if=/dev/nvme0n1 of=/dev/null bs=1M count={{ReadMiB}} iflag=direct 2>/tmp/dd.err || echo "dd_failed=$(tr '\n' ' ' </tmp/dd.err)"
            t1=$(cut -d' ' -f1 /proc/uptime)
            echo "mark dd-end-$r"
            echo "dd_seconds_$r=$(awk "BEGIN {print $t1 - $t0}")"
            r=$((r+1))
        done
        sleep 3
        echo "msix_mode=$(cat /sys/class/nvme/nvme0/device/msi_irqs/* | sort -u | tr '\n' ' ')"
        echo "msix_vectors=$(grep -c 'nvme0q' /proc/interrupts)"
        echo "msix_interrupts=$(grep 'nvme0q' /proc/interrupts | awk '{s=0; for (i=2; i<=NF; i++) if ($i ~ /^[0-9]+$/) s+=$i; else break; t+=s} END {print t+0}')"
        """;

    // The markers a job with `reads` reads samples the exit counters at.
    static string Marks(int reads) => "idle-start idle-end" + string.Concat(Enumerable.Range(1, reads).Select(r => $" dd-start-{r} dd-end-{r}"));

    // The e1000e: the driver binds, the link comes up, the gateway answers.
    const string NicScript = """
        i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
        echo "nic_driver=$(basename $(readlink /sys/class/net/eth0/device/driver))"
        ip link set eth0 up
        ip addr add 10.0.2.15/24 dev eth0
        i=0; while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
        echo "carrier=$(cat /sys/class/net/eth0/carrier)"
        echo "operstate=$(cat /sys/class/net/eth0/operstate)"
        echo "ping_received=$(ping -c 3 -W 3 10.0.2.2 | grep -o '[0-9]* packets received' | cut -d' ' -f1)"
        echo "nic_interrupts=$(grep eth0 /proc/interrupts | awk '{s=0; for (i=2; i<=NF; i++) if ($i ~ /^[0-9]+$/) s+=$i; else break; t+=s} END {print t+0}')"
        """;

    // The guest of the hotplug job: no NVMe at boot; it waits for the controller QMP's
    // device_add passes through (found by acpiphp through the DSDT's slots), reads the
    // pattern, then waits for device_del to take it away again.
    const string HotplugScript = """
        echo "ready-for-hotplug"
        i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 900 ]; do sleep 0.2; i=$((i+1)); done
        echo "hp_driver=$(basename "$(readlink /sys/class/nvme/nvme0/device/driver)")"
        echo "hp_pattern=$(head -c 16 /dev/nvme0n1)"
        echo "hp_msix=$(cat /sys/class/nvme/nvme0/device/msi_irqs/* 2>/dev/null | sort -u | tr '\n' ' ')"
        echo "ready-for-unplug"
        i=0; while [ -e /sys/class/nvme/nvme0 ] && [ $i -lt 900 ]; do sleep 0.2; i=$((i+1)); done
        echo "hp_remaining=$(ls /sys/class/nvme | wc -l)"
        """;

    // device_add vfio-pci of the NVMe ($args[0]) once the guest waits for it, device_del once
    // the guest has read it, then DEVICE_DELETED.
    static readonly string HotplugClient = new QmpConsoleClient(consoleWaitSeconds: 900)
        .WaitForConsole("ready-for-hotplug")
        .Execute("""{"execute":"device_add","arguments":{"driver":"vfio-pci","id":"hp0","host":"$args[0]"}}""")
        .WaitForConsole("ready-for-unplug")
        .Execute("""{"execute":"device_del","arguments":{"id":"hp0"}}""")
        .WaitForEvent("DEVICE_DELETED")
        .Command("\"$sock\"", "\"$console\"", "\"$nvme\"");

    // emu without passthrough devices and with a QMP socket, driven by HotplugClient (a perl
    // client, core modules only, that follows the console). The job prints what vmm_run
    // prints, so the same parser reads it.
    static string HotplugJob(string emu, string bootArgs) => $$$"""
        sock="/tmp/emu-qmp-$$.sock" # tmpfs: the run directory is 9p, where sockets cannot be bound
        console="$LAB_DIR/$LAB_JOB.console"
        timeout -k 10 900 {{{emu}}} -machine q35 -smp 2 -m {{{MemoryMiB}}}M -nographic -qmp "unix:$sock,server=on,wait=off" {{{bootArgs}}} \
            >"$console" 2>"$LAB_DIR/$LAB_JOB.stderr" </dev/null &
        pid=$!
        {{{HotplugClient}}}
        wait $pid
        echo "vmm_exit=$?"
        sed 's/^/vmm-stderr: /' "$LAB_DIR/$LAB_JOB.stderr"
        cat "$console"
        """;

    // A level-2 crash or hang is retried once (Level2Retry).
    static Task<VfioLinuxLabRun> RunAsync(Action<string> log)
    {
        LabEnvironment.Current.EnsureLevel2();
        return Level2Retry.RunAsync(() => BootOnceAsync(log), log);
    }

    static async Task<VfioLinuxLabRun> BootOnceAsync(Action<string> log)
    {
        string emu = $"dotnet {ShellQuote.Quote(VfioLabRun.EmuDll)}";
        var options = new Level2Options { ConsoleLine = line => log("L2| " + line) };
        using var run = Level2Run.Create(options);
        byte[] header = new byte[512];
        Encoding.ASCII.GetBytes(Pattern).CopyTo(header, 0);
        string image = run.CreateDiskImage("nvme.img", 256 << 20, header);
        options.QemuArgs.AddRange([
            "-drive", $"file={image},if=none,id=nv,format=raw", "-device", "nvme,drive=nv,serial=lab",
            "-netdev", "user,id=n0,restrict=on", "-device", "e1000e,netdev=n0"]);
        var nvme = Level3Guest.Create(NvmeScript(ReadCount), "nvme");
        var nvmeOnce = Level3Guest.Create(NvmeScript(1), "nvme");
        var nic = Level3Guest.Create(NicScript, "e1000e");
        var both = Level3Guest.Create(NvmeScript(1) + "\n" + NicScript, "nvme", "e1000e");
        string prelude = """
            mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
            echo "thp_enabled=$(tr ' ' '_' </sys/kernel/mm/transparent_hugepage/enabled)"
            echo "thp_shmem_enabled=$(tr ' ' '_' </sys/kernel/mm/transparent_hugepage/shmem_enabled)"
            nvme=$(lab-bind-vfio 0x010802 | cut -d' ' -f1)
            nic=$(lab-bind-vfio 0x020000 | cut -d' ' -f1)
            echo "nvme_bdf=$nvme"; echo "nic_bdf=$nic"
            echo "nvme_group=$(basename $(readlink /sys/bus/pci/devices/$nvme/iommu_group))"
            echo "nic_group=$(basename $(readlink /sys/bus/pci/devices/$nic/iommu_group))"

            """ + Sampler;
        string emuBoot(Level3Guest g, string devices) => $"{emu} -machine q35 -smp 2 -m {MemoryMiB}M -nographic {g.BootArgs} {devices}";
        string marks(int reads) => $"marks='{Marks(reads)}' ";
        for (int round = 1; round <= ComparisonRounds; round++)
        {
            run.AddJob(prelude + marks(ReadCount) + $"vmm_run emu {emuBoot(nvme, "-device vfio-pci,host=$nvme")}\n", ComparisonJob("emu", round));
            run.AddJob(prelude + marks(ReadCount) + $"vmm_run qemu {nvme.QemuKvmCommand("-device vfio-pci,host=$nvme", memoryMiB: MemoryMiB, cpus: 2)}\n", ComparisonJob("qemu", round));
        }
        run.AddJob(prelude + marks(0) + $"vmm_run emu {emuBoot(nic, "-device vfio-pci,host=$nic")}\n", "emu-e1000e");
        // The same read with guest RAM in a shared memfd (-object memory-backend-memfd,share=on):
        // shmem, so on 4 KiB pages under shmem_enabled=never, and so are the IOMMU's mappings.
        run.AddJob(prelude + marks(1) + $"vmm_run emu {emuBoot(nvmeOnce, $"-object memory-backend-memfd,id=ram,size={MemoryMiB}M,share=on -machine memory-backend=ram -device vfio-pci,host=$nvme")}\n", "emu-nvme-memfd");
        run.AddJob(prelude + marks(1) + $"vmm_run emu {emuBoot(both, "-device vfio-pci,host=$nvme,id=disk -device vfio-pci,host=$nic,id=nic")}\n", "emu-two");
        var hotplug = Level3Guest.Create(HotplugScript, "nvme");
        run.AddJob(prelude + HotplugJob(emu, hotplug.BootArgs), "emu-hotplug");
        Level2Result result = await run.BootAsync();
        byte[] written = new byte[Written.Length];
        using (var file = File.OpenRead(image))
        {
            file.Position = WrittenOffset;
            file.ReadExactly(written);
        }
        return new VfioLinuxLabRun(result, written);
    }

    // vmm_run NAME COMMAND...: runs a VMM with the console in a file, samples KVM's exit
    // counters when the guest prints each of $marks ("mark NAME" lines), and prints the
    // VMM's exit status, stderr and console (the console carries the level-3 lines).
    // A sample is one line: "sample=NAME t=SECONDS exits=N halt_exits=N ...".
    const string Sampler = """
        stats() {
            line="sample=$1 t=$(date +%s.%N)"
            for f in exits mmio_exits io_exits halt_exits irq_exits irq_window_exits request_irq_exits signal_exits nmi_window_exits insn_emulation; do
                line="$line $f=$(cat /sys/kernel/debug/kvm/$f 2>/dev/null || echo 0)"
            done
            echo "$line"
        }
        vmm_once() {
            timeout -k 10 900 "$@" >"$LAB_DIR/$LAB_JOB.console" 2>"$LAB_DIR/$LAB_JOB.stderr" </dev/null &
            pid=$!
            seen=""
            while kill -0 $pid 2>/dev/null; do
                for m in $marks; do
                    case " $seen " in *" $m "*) continue ;; esac
                    if grep -aq "@L3@ mark $m[[:space:]]*$" "$LAB_DIR/$LAB_JOB.console"; then stats "$m"; seen="$seen $m"; fi
                done
                sleep 0.1
            done
            wait $pid
        }
        # A level-3 guest that triple-faults is run once more (by either VMM), and the
        # first attempt is kept in the output as "first-attempt-*" lines (its level-3
        # markers defused, so only the second attempt's guest output is parsed). Level 2 is TCG
        # emulating nested SVM, and its own kernel has crashed under the same load
        # (see Level2Retry), so a single triple fault there does not say whose fault it is.
        vmm_run() {
            name=$1; shift
            vmm_once "$@"; rc=$?
            if [ $rc = 2 ] && grep -q "triple-faulted" "$LAB_DIR/$LAB_JOB.stderr"; then
                echo "vmm_retried=triple-fault"
                sed 's/^/first-attempt-stderr: /' "$LAB_DIR/$LAB_JOB.stderr"
                sed 's/@L3/@first-attempt-l3/g; s/^/first-attempt-console: /' "$LAB_DIR/$LAB_JOB.console" # not parsed as this run's guest
                vmm_once "$@"; rc=$?
            fi
            echo "vmm_exit=$rc"
            sed 's/^/vmm-stderr: /' "$LAB_DIR/$LAB_JOB.stderr"
            cat "$LAB_DIR/$LAB_JOB.console"
        }

        """;

    // One job's VMM run: its exit status, stderr, the level-3 "key=value" lines, and the
    // exit counters sampled at each marker (marker -> counter -> value; "t" is the time).
    public sealed record VmmRun(int? ExitCode, IReadOnlyList<string> Stderr, IReadOnlyDictionary<string, string> Guest, Level3Output Output,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Samples, LabJobResult Job)
    {
        // The reads whose windows were sampled and timed, 1-based.
        // A window counts only when its counters moved forward: a sample taken after the VMM
        // exited (a slow lab can get there) reads the counters as gone, not as fewer exits.
        public IEnumerable<int> Reads => Enumerable.Range(1, ReadCount)
            .Where(r => Samples.ContainsKey($"dd-start-{r}") && Samples.ContainsKey($"dd-end-{r}") && Guest.ContainsKey($"dd_seconds_{r}"))
            .Where(r => Forward(Samples[$"dd-start-{r}"], Samples[$"dd-end-{r}"]));

        private static bool Forward(IReadOnlyDictionary<string, double> start, IReadOnlyDictionary<string, double> end) =>
            start.TryGetValue("exits", out double s) && end.TryGetValue("exits", out double e) && e > s
            && start.TryGetValue("t", out double t0) && end.TryGetValue("t", out double t1) && t1 > t0;

        public double ReadSeconds(int read) => double.Parse(Guest[$"dd_seconds_{read}"], CultureInfo.InvariantCulture);

        // Exits of kind `counter` in read `read`'s window less what the idle guest takes in as long.
        public double ExitsDuringRead(int read, string counter = "exits")
        {
            IReadOnlyDictionary<string, double> idleStart = Samples["idle-start"], idleEnd = Samples["idle-end"];
            IReadOnlyDictionary<string, double> start = Samples[$"dd-start-{read}"], end = Samples[$"dd-end-{read}"];
            double idleRate = (idleEnd[counter] - idleStart[counter]) / (idleEnd["t"] - idleStart["t"]);
            return end[counter] - start[counter] - idleRate * (end["t"] - start["t"]);
        }

        public double RawExitsDuringRead(int read, string counter = "exits") => Samples[$"dd-end-{read}"][counter] - Samples[$"dd-start-{read}"][counter];

        // The read with the fewest exits: the one least disturbed by the machine's other work.
        // Chosen on the raw count: the idle rate differs between VMMs (QEMU's idle guest took
        // about twice the exits per second of emu's in level 2), so subtracting each VMM's own
        // idle rate compares the idle guests as much as the reads.
        public int BestRead => Reads.MinBy(r => RawExitsDuringRead(r));

        public double ExitsPerMiB => ExitsDuringRead(BestRead) / ReadMiB;

        public double RawExitsPerMiB => RawExitsDuringRead(BestRead) / ReadMiB;
    }

    public VmmRun this[string job]
    {
        get
        {
            LabJobResult j = Result[job];
            int? exit = null;
            var stderr = new List<string>();
            var samples = new Dictionary<string, IReadOnlyDictionary<string, double>>();
            foreach (string line in j.OutputLines)
            {
                if (line.StartsWith("vmm_exit=", StringComparison.Ordinal))
                    exit = int.Parse(line["vmm_exit=".Length..], CultureInfo.InvariantCulture);
                else if (line.StartsWith("vmm-stderr: ", StringComparison.Ordinal))
                    stderr.Add(line["vmm-stderr: ".Length..]);
                else if (line.StartsWith("sample=", StringComparison.Ordinal))
                {
                    string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var counters = new Dictionary<string, double>();
                    foreach (string word in words.Skip(1))
                    {
                        int eq = word.IndexOf('=');
                        if (eq > 0 && double.TryParse(word[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                            counters[word[..eq]] = v;
                    }
                    samples[words[0]["sample=".Length..]] = counters;
                }
            }
            Level3Output output = Level3Output.Parse(j.Output);
            var guest = new Dictionary<string, string>();
            foreach (string line in output.Lines)
            {
                int eq = line.IndexOf('=');
                if (eq > 0)
                    guest[line[..eq]] = line[(eq + 1)..];
            }
            return new VmmRun(exit, stderr, guest, output, samples, j);
        }
    }

    // A read's throughput in bytes per second, timed by the level-3 guest's /proc/uptime
    // around dd (busybox's dd does not report it).
    public static double Throughput(VmmRun run, int read) => ReadMiB * (double)(1 << 20) / Math.Max(run.ReadSeconds(read), 0.01);
}
