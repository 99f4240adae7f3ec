using System.Diagnostics;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// End-to-end proofs of the nested lab (shared/LAB.md). One level-2 boot per test.
public class Level2LabTests(ITestOutputHelper output)
{
    Level2Options Options() => new() { ConsoleLine = line => output.WriteLine("L2| " + line) };

    void Report(string what, Stopwatch total, Level2Result r)
    {
        output.WriteLine($"{what}: total {total.Elapsed.TotalSeconds:F1} s, qemu {r.Elapsed.TotalSeconds:F1} s, lock wait {r.LockWait.TotalSeconds:F1} s, " +
                         $"guest ready at {r.GuestBootSeconds:F1} s, jobs: " +
                         string.Join(", ", r.Jobs.Select(j => $"{j.Name} {j.GuestSeconds:F1} s")));
    }

    // Level 2 boots, a job sees the right kernel, /dev/kvm, /dev/vfio/vfio and the host's
    // files; a second job in the same boot returns its own exit status; a third runs dotnet.
    [LabFact]
    public async Task Level2_boots_runs_jobs_and_returns_their_exit_status()
    {
        var total = Stopwatch.StartNew();
        using var run = Level2Run.Create(Options());
        run.WriteFile("marker.txt", "from-the-host\n");
        run.AddJob("""
            set -e
            uname -r
            test -c /dev/kvm && echo kvm-ok
            test -c /dev/vfio/vfio && echo vfio-ok
            cat "$LAB_DIR/marker.txt"
            echo "cwd=$(pwd)"
            grep -qw svm /proc/cpuinfo && echo svm-ok
            echo from-level-2 > "$LAB_DIR/written-by-guest.txt"
            """, "probe");
        run.AddJob("echo second; exit 7", "status");
        // The .NET runtime runs from the host's files: the test assembly's generated (empty)
        // entry point is enough to prove it starts, as emu will.
        string testAssembly = typeof(Level2LabTests).Assembly.Location;
        run.AddJob($"dotnet exec {ShellQuote.Quote(testAssembly)} && echo dotnet-ok", "dotnet");
        var r = await run.BootAsync();
        Report("level2", total, r);

        Assert.True(r.Completed, r.Describe());
        Assert.Equal(0, r["probe"].ExitCode);
        var lines = r["probe"].OutputLines;
        Assert.Equal(LabEnvironment.Current.KernelVersion, lines[0]);
        Assert.Contains("kvm-ok", lines);
        Assert.Contains("vfio-ok", lines);
        Assert.Contains("from-the-host", lines);
        Assert.Contains($"cwd={run.Directory}", lines);
        Assert.Contains("svm-ok", lines);
        Assert.Equal("from-level-2\n", File.ReadAllText(run.PathFor("written-by-guest.txt")));
        Assert.Equal(7, r["status"].ExitCode);
        Assert.Equal("second\n", r["status"].Output);
        Assert.False(r.Succeeded);
        Assert.Equal(0, r.QemuExitCode);
        Assert.Throws<LabRunException>(r.EnsureSuccess);
        Assert.True(r["dotnet"].Succeeded, r.Describe());
        Assert.Equal("dotnet-ok\n", r["dotnet"].Output);
    }

    // QEMU-KVM inside level 2 boots the lab kernel with a level-3 initramfs; the harness
    // returns the check script's lines. Later tests swap QEMU for emu.
    [LabFact]
    public async Task Qemu_kvm_in_level2_boots_a_level3_guest()
    {
        var total = Stopwatch.StartNew();
        var guest = Level3Guest.Create("""
            nproc
            cat /proc/cmdline
            echo done
            exit 5
            """);
        var r = await Level2Lab.RunAsync(guest.QemuKvmCommand(cpus: 2) + "\necho vmm-exit=$?", Options());
        Report("level3 via qemu-kvm", total, r);

        Assert.Equal(0, r.Job.ExitCode);
        Assert.Contains("vmm-exit=0", r.Job.OutputLines);
        var l3 = Level3Output.Parse(r.Job.Output);
        Assert.True(l3.Completed, r.Describe());
        Assert.Equal(5, l3.ExitCode);
        Assert.Equal(["2", guest.KernelCommandLine, "done"], l3.Lines);
        Assert.Empty(l3.Warnings);
    }

    // An emulated NVMe controller in level 2 is bound to vfio-pci and passed through to a
    // level-3 guest whose nvme driver reads the disk's first bytes, with MSI(-X) vectors.
    [LabFact]
    public async Task Vfio_passes_an_nvme_controller_through_to_level3()
    {
        var total = Stopwatch.StartNew();
        var options = Options();
        using var run = Level2Run.Create(options);
        string image = run.CreateDiskImage("nvme.img", 16 << 20, "EMU-LAB-NVME-OK!"u8);
        options.QemuArgs.AddRange(["-drive", $"file={image},if=none,id=nv,format=raw", "-device", "nvme,drive=nv,serial=lab"]);
        var guest = Level3Guest.Create("""
            i=0; while [ ! -b /dev/nvme0n1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            ls /sys/block
            head -c 16 /dev/nvme0n1; echo
            grep -c nvme0q /proc/interrupts
            """, "nvme");
        run.AddJob($"""
            set -e
            lab-pci
            set -- $(lab-bind-vfio 0x010802)
            echo "bdf=$1 group=$2"
            test -c "$2"
            test "$(basename "$(readlink /sys/bus/pci/devices/$1/driver)")" = vfio-pci
            {guest.QemuKvmCommand("-device vfio-pci,host=$1")}
            """);
        var r = await run.BootAsync();
        Report("vfio nvme", total, r);

        Assert.True(r.Job.Succeeded, r.Describe());
        Assert.Contains(r.Job.OutputLines, l => l.StartsWith("bdf=0000:", StringComparison.Ordinal) && l.Contains(" group=/dev/vfio/", StringComparison.Ordinal));
        var l3 = Level3Output.Parse(r.Job.Output);
        Assert.Equal(0, l3.ExitCode);
        Assert.Contains("nvme0n1", l3.Lines);
        Assert.Contains("EMU-LAB-NVME-OK!", l3.Lines);
        Assert.True(int.Parse(l3.Lines[^1]) >= 1, "expected at least one nvme queue interrupt: " + string.Join('\n', l3.Lines));
    }

    // A hung job is killed at the timeout and the failure carries the console and job output.
    [LabFact]
    public async Task A_hung_job_times_out_with_its_output()
    {
        var options = Options();
        options.Timeout = TimeSpan.FromSeconds(20);
        var total = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<LabRunException>(() => Level2Lab.RunAsync("echo before-hang; sleep 600", options));
        output.WriteLine($"timeout test: {total.Elapsed.TotalSeconds:F1} s");
        Assert.True(e.Result.TimedOut);
        Assert.Null(e.Result.Job.ExitCode);
        Assert.Equal("before-hang\n", e.Result.Job.Output);
        Assert.Contains("@@LAB-JOB-BEGIN@@", e.Result.Console);
        Assert.Contains("TIMED OUT", e.Message);
    }

    // A job that stops producing output is taken for a hung level 2 long before the
    // timeout, and Level2Retry would boot it once more.
    [LabFact]
    public async Task A_silent_level_2_is_stopped_by_the_stall_check()
    {
        var options = Options();
        options.Timeout = TimeSpan.FromMinutes(10);
        options.StallTimeout = TimeSpan.FromSeconds(30);
        var total = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<LabRunException>(() => Level2Lab.RunAsync("echo before-silence; sleep 900", options));
        output.WriteLine($"stall test: {total.Elapsed.TotalSeconds:F1} s");
        Assert.True(e.Result.Stalled);
        Assert.True(e.Result.Level2Crashed);
        Assert.True(e.Result.Elapsed < options.Timeout, $"stopped after {e.Result.Elapsed}, not by the stall check");
        Assert.Equal("before-silence\n", e.Result.Job.Output);
        Assert.Contains("made no progress for 30 s", e.Message);
        // Before the stall check struck, level 2's init recorded what the quiet job was doing:
        // the job's sleep, blocked in the kernel, among the processes it lists.
        output.WriteLine(e.Result.HangDumps);
        Assert.Contains("no file in the run directory changed for", e.Result.HangDumps);
        Assert.Contains("sleep 900", e.Result.HangDumps);
        Assert.Contains("hang dumps:", e.Message);
    }

    // lab-run (Level2Command), which the benchmark runners use on machines without KVM:
    // the command runs in level 2 (real KVM), in the directory it was started from, with
    // the variables asked for; its output arrives here and its exit status is returned.
    [LabFact]
    public async Task A_command_runs_in_level_2_where_it_was_started_and_returns_its_status()
    {
        const string variable = "EMU_LAB_RUN_TEST_VALUE";
        Environment.SetEnvironmentVariable(variable, "it's forwarded");
        string directory = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var text = new StringWriter();
        int status = await Level2Command.RunAsync(
            ["sh", "-c", $"test -c /dev/kvm && echo kvm-ok; pwd; echo \"${variable}\"; echo to-stderr >&2; exit 3"],
            directory, [variable], TimeSpan.FromMinutes(10), text);
        output.WriteLine(text.ToString());
        Assert.Equal(3, status);
        string[] lines = TextLines.Split(text.ToString()).ToArray();
        Assert.Contains("kvm-ok", lines);
        Assert.Contains(directory, lines);
        Assert.Contains("it's forwarded", lines);
        Assert.Contains("to-stderr", lines);
    }
}
