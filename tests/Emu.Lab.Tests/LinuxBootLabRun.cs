namespace Emu.Lab.Tests;

// One level-2 boot that runs every Linux boot acceptance job with emu (Debian's kernel,
// the harness's busybox initramfs, -smp 2 -m 1G): the bzImage, the PVH entry of the
// uncompressed kernel, a reboot inside the guest, a guest that triple-faults, and
// system_powerdown over QMP. The test methods share it: one level-2 boot instead of five.
public sealed class LinuxBootLabRun
{
    public const int Cpus = 2;
    public const long MemoryMiB = 1024;

    // CMOS RAM byte (index 0x70) where the reboot guest remembers that it booted once:
    // battery-backed RAM survives a reset, and /dev/port reaches it from busybox.
    const string RebootScript = """
        cmos_index() { printf "\\$(printf %o $1)" | dd of=/dev/port bs=1 seek=112 count=1 2>/dev/null; }
        cmos_read() { cmos_index $1; dd if=/dev/port bs=1 skip=113 count=1 2>/dev/null | od -An -tu1 | tr -d ' \n'; }
        cmos_write() { cmos_index $1; printf "\\$(printf %o $2)" | dd of=/dev/port bs=1 seek=113 count=1 2>/dev/null; }
        if [ "$(cmos_read 112)" != 1 ]; then
            cmos_write 112 1
            echo "boot=1 cpus=$(nproc)"
            sleep 1
            reboot -f
            sleep 30
        fi
        echo "boot=2 cpus=$(nproc) marker=$(cmos_read 112)"
        """;

    // Waits for the ACPI power button: the kernel counts fixed-hardware power-button
    // events in /sys/firmware/acpi/interrupts/ff_pwr_btn. A distribution's logind would
    // then power off; busybox has nothing listening, so the script ends and the init
    // powers off.
    const string PowerButtonScript = """
        echo "ready-for-power-button"
        i=0
        while [ "$(awk '{print $1}' /sys/firmware/acpi/interrupts/ff_pwr_btn)" = 0 ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
        echo "power-button-events=$(awk '{print $1}' /sys/firmware/acpi/interrupts/ff_pwr_btn)"
        """;

    const string TripleFaultScript = """
        echo "about to reboot by triple fault"
        sleep 1
        reboot -f
        sleep 30
        """;

    LinuxBootLabRun(Level2Result result, Level3Guest guest, string vmlinux)
    {
        Result = result;
        Guest = guest;
        VmlinuxPath = vmlinux;
    }

    public Level2Result Result { get; }

    // The guest of the bzImage and PVH jobs: its kernel command line is what /proc/cmdline must show.
    public Level3Guest Guest { get; }

    public string VmlinuxPath { get; }

    static readonly object s_lock = new();
    static Task<LinuxBootLabRun>? s_run;

    // Runs the level-2 boot once per test process; the tests of LinuxBootLabTests share it,
    // and its failure too (a failed boot is not retried by every test; a level-2 crash or
    // hang is retried once, by Level2Retry).
    public static Task<LinuxBootLabRun> GetAsync(Action<string> log)
    {
        lock (s_lock)
            return s_run ??= Task.Run(() => Level2Retry.RunAsync(() => RunAsync(log), log));
    }

    static async Task<LinuxBootLabRun> RunAsync(Action<string> log)
    {
        var env = LabEnvironment.Current;
        env.EnsureLevel2();
        string emu = LinuxBootEmu.EmuDll;
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        var checks = Level3Guest.Create(LinuxBootChecks.Script);
        var reboot = Level3Guest.Create(RebootScript);
        var tripleOptions = new Level3Options { CheckScript = TripleFaultScript };
        tripleOptions.KernelArgs.Add("reboot=t"); // Linux reboots by triple fault
        var triple = Level3Guest.Create(tripleOptions);
        // The ACPI button driver (a module in Debian, loaded by udev on a full system)
        // enables the power button's fixed event.
        var powerButton = Level3Guest.Create(PowerButtonScript, "button");

        // Five level-3 boots of ~30 s each on a TCG-emulated level 2, with room for a loaded host.
        using var run = Level2Run.Create(new Level2Options { ConsoleLine = line => log("L2| " + line), Timeout = TimeSpan.FromMinutes(30) });
        run.AddJob(Job("bzimage", emu, checks.BootArgs), "bzimage");
        // The PVH boot also puts guest RAM in a shared memfd (-object memory-backend-memfd):
        // Linux boots on either kind of guest RAM.
        string pvhArgs = ShellQuote.Join(["-object", $"memory-backend-memfd,id=ram,size={MemoryMiB}M,share=on", "-machine", "memory-backend=ram",
            "-kernel", vmlinux, "-initrd", checks.InitrdPath, "-append", checks.KernelCommandLine]);
        run.AddJob(Job("pvh", emu, pvhArgs), "pvh");
        run.AddJob(Job("reboot", emu, reboot.BootArgs), "reboot");
        run.AddJob(Job("triple-fault", emu, triple.BootArgs), "triple-fault");
        run.AddJob(PowerButtonJob(emu, powerButton.BootArgs), "power-button");
        Level2Result result = await run.BootAsync();
        return new LinuxBootLabRun(result, checks, vmlinux);
    }

    // Runs emu as a user would, with the console on stdout; records its exit status,
    // its stderr and its wall time inside level 2.
    static string Job(string name, string emu, string bootArgs) => $$"""
        echo "host_epoch=$(date +%s)"
        t0=$(date +%s.%N)
        timeout -k 10 300 dotnet {{ShellQuote.Quote(emu)}} -machine q35 -smp {{Cpus}} -m {{MemoryMiB}}M -nographic {{bootArgs}} </dev/null 2>"$LAB_DIR/{{name}}.stderr"
        rc=$?
        t1=$(date +%s.%N)
        echo
        echo "emu-exit=$rc"
        echo "emu-seconds=$(awk "BEGIN {print $t1 - $t0}")"
        sed 's/^/emu-stderr: /' "$LAB_DIR/{{name}}.stderr"
        """;

    // emu with a QMP socket; once the guest waits for the power button, a QMP client
    // (perl, core modules only) negotiates capabilities and sends system_powerdown.
    static string PowerButtonJob(string emu, string bootArgs) => $$"""
        echo "host_epoch=$(date +%s)"
        sock="/tmp/emu-qmp-$$.sock" # tmpfs: the run directory is 9p, where sockets cannot be bound
        t0=$(date +%s.%N)
        timeout -k 10 300 dotnet {{ShellQuote.Quote(emu)}} -machine q35 -smp {{Cpus}} -m {{MemoryMiB}}M -nographic -qmp "unix:$sock,server=on,wait=off" {{bootArgs}} </dev/null >"$LAB_DIR/power-button.console" 2>"$LAB_DIR/power-button.stderr" &
        pid=$!
        i=0
        while ! grep -q ready-for-power-button "$LAB_DIR/power-button.console" && kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.5; i=$((i + 1)); done
        perl -MIO::Socket::UNIX -e '
            my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!\n";
            sub reply { while (my $l = <$s>) { print "qmp: $l"; return if $l =~ /"(return|error)"/; } }
            my $greeting = <$s>; print "qmp: $greeting";
            print $s qq({"execute":"qmp_capabilities"}\n); reply();
            print $s qq({"execute":"system_powerdown"}\n); reply();
        ' "$sock"
        wait $pid
        rc=$?
        t1=$(date +%s.%N)
        cat "$LAB_DIR/power-button.console"
        echo
        echo "emu-exit=$rc"
        echo "emu-seconds=$(awk "BEGIN {print $t1 - $t0}")"
        sed 's/^/emu-stderr: /' "$LAB_DIR/power-button.stderr"
        """;

    // What one job's emu did: its exit status, wall time, stderr and the guest's output.
    public LinuxBootEmuRun this[string job] => LinuxBootEmuRun.From(Result[job]);
}
