using System.Diagnostics;
using System.Text.RegularExpressions;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Issue 13's SMP item on the software CPU, at level 1: Debian's kernel (PVH entry, -smp 2)
// runs SmpCheckProgram, whose threads on both CPUs update shared counters with locked
// instructions (no update lost) and whose page, made read-only under a writer on the other
// CPU, stops changing once mprotect returns (the TLB shootdown IPI reached that CPU and it
// flushed its TLB).
public sealed partial class SoftwareCpuLinuxSmpTests(ITestOutputHelper output)
{
    const string Init = """
        #!/bin/busybox sh
        /bin/busybox --install -s
        export PATH=/sbin:/usr/sbin:/bin:/usr/bin
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        echo "smp_online=$(cat /sys/devices/system/cpu/online)"
        /bin/smp-check
        echo "smp_check_rc=$?"
        poweroff -f
        sleep 30
        """;

    [LabFact]
    public void Atomics_under_contention_and_tlb_shootdowns_are_correct_on_two_cpus()
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string dir = Path.Combine(Path.GetTempPath(), $"emu-smp-{Guid.NewGuid():N}");
        try
        {
            string binary = SmpCheckProgram.Build(dir);
            string initrd = InitramfsBuilder.WithBusybox(env)
                .AddHostFile("/bin/smp-check", binary, 0x1ED)
                .AddScript("/init", Init)
                .BuildCached(env.CacheDirectory, $"smp-{env.KernelVersion}");
            string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
            var clock = Stopwatch.StartNew();
            EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(10), "-accel", "tcg", "-machine", "q35", "-smp", "2", "-m", "256M",
                "-nographic", "-no-reboot", "-kernel", vmlinux, "-initrd", initrd, "-append", "console=ttyS0 panic=-1 quiet");
            output.WriteLine($"emu exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
            output.WriteLine(run.Stdout);
            output.WriteLine(run.Stderr);

            Assert.Contains("smp_online=0-1", run.Stdout);
            Match counts = Counts().Match(run.Stdout);
            Assert.True(counts.Success, "the program did not report its counters");
            Assert.Equal(counts.Groups["expected"].Value, counts.Groups["xadd"].Value);
            Assert.Equal(counts.Groups["expected"].Value, counts.Groups["cmpxchg"].Value);
            Assert.DoesNotContain("smp_shootdown_failed", run.Stdout);
            Assert.Contains("smp_shootdown_ok=50 smp_shootdown_rounds=50", run.Stdout);
            Assert.Contains("smp_check_rc=0", run.Stdout);
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"smp_xadd=(?<xadd>\d+) smp_cmpxchg=(?<cmpxchg>\d+) smp_expected=(?<expected>\d+)")]
    private static partial Regex Counts();
}
