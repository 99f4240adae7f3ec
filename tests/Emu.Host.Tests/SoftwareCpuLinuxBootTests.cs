using System.Diagnostics;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Debian's kernel on the software CPU at level 1 (no KVM anywhere), with the lab's busybox
// initramfs, checked the way a user would check a booted guest (shared/LAB.md level 3
// guest, run by emu directly): the kernel as installed (a bzImage, through its own
// decompressor) and the uncompressed kernel through its PVH entry, each with -smp 2 and
// -smp 1. Besides the lab's boot checks, the software CPU's model of time and of the CPU:
// the kernel takes the TSC frequency from CPUID instead of calibrating against the PIT,
// keeps the TSC as its clocksource, and enables no page-table isolation.
public sealed class SoftwareCpuLinuxBootTests(ITestOutputHelper output)
{
    const long MemoryMiB = 512;

    [LabFact]
    public void Debian_bzImage_boots_to_userspace_on_the_software_cpu_with_2_cpus_and_poweroff_exits_0() => BootAndCheck(pvh: false, cpus: 2);

    [LabFact]
    public void Debian_bzImage_boots_to_userspace_on_the_software_cpu_with_1_cpu_and_poweroff_exits_0() => BootAndCheck(pvh: false, cpus: 1);

    [LabFact]
    public void Debian_kernel_boots_through_PVH_on_the_software_cpu_with_2_cpus_and_poweroff_exits_0() => BootAndCheck(pvh: true, cpus: 2);

    [LabFact]
    public void Debian_kernel_boots_through_PVH_on_the_software_cpu_with_1_cpu_and_poweroff_exits_0() => BootAndCheck(pvh: true, cpus: 1);

    void BootAndCheck(bool pvh, int cpus)
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string kernel = pvh ? LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory) : env.KernelPath!;
        Level3Guest guest = Level3Guest.Create(LinuxBootChecks.Script);
        long hostEpoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var clock = Stopwatch.StartNew();
        EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(10), "-accel", "tcg", "-machine", "q35", "-smp", cpus.ToString(), "-m", $"{MemoryMiB}M",
            "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine);
        output.WriteLine($"{(pvh ? "PVH vmlinux" : "bzImage")} -smp {cpus}: emu exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);

        Level3Output console = Level3Output.Parse(run.Stdout);
        Assert.True(console.Completed, "the level-3 check script did not finish");
        Assert.Equal(0, console.ExitCode);
        Assert.Empty(console.Warnings);
        var c = new LinuxBootChecks(console.Lines);
        // SMP: every vCPU came up.
        Assert.Equal(cpus.ToString(), c["cpus"]);
        Assert.Equal(cpus == 1 ? "0" : $"0-{cpus - 1}", c["online"]);
        // Memory: the E820 map has all of -m but the legacy holes below 1 MiB; the kernel keeps most of it.
        long ram = MemoryMiB << 20;
        Assert.InRange(c.Long("e820_ram"), ram - (1 << 20), ram);
        Assert.InRange(c.Long("memtotal_kib") << 10, ram * 8 / 10, ram);
        // The command line arrived whole.
        Assert.Equal(guest.KernelCommandLine, c["cmdline"].Trim());
        // ACPI: the tables are there and neither ACPI nor the kernel complained about the firmware.
        foreach (string table in new[] { "APIC", "DSDT", "FACP", "MCFG" })
            Assert.Contains(table, c["acpi_tables"].Split(' '));
        Assert.Empty(c.Problems);
        Assert.Equal(0, c.Long("acpi_problems"));
        Assert.Equal(0, c.Long("firmware_bugs"));
        // The wall clock comes from the CMOS RTC and time passes.
        Assert.InRange(c.Long("epoch"), hostEpoch - 60, hostEpoch + 900);
        Assert.InRange(c.Long("rtc_epoch"), c.Long("epoch") - 5, c.Long("epoch") + 5);
        Assert.True(c.Double("uptime_step") >= 0.9, $"uptime advanced {c["uptime_step"]} s over sleep 1");
        // The console UART runs on its interrupt.
        Assert.True(c.Long("serial_irqs") > 0, "no ttyS0 interrupts");
        CheckTimeAndCpuModel(c);
        // poweroff -f in the guest ends emu with status 0 and nothing on stderr.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }

    // Time the kernel trusts and a CPU model that needs no costly mitigations (issue 13).
    void CheckTimeAndCpuModel(LinuxBootChecks c)
    {
        output.WriteLine("kernel time messages:");
        foreach (string line in c.TimeMessages)
            output.WriteLine("  " + line);
        output.WriteLine($"clocksource {c["clocksource"]} (available: {c["clocksources"]})");
        output.WriteLine($"CPU bugs the kernel assumes: {c["cpu_bugs"]}; pti_enabled={c["pti_enabled"]}");
        IReadOnlyDictionary<string, string> vulnerabilities = c.WithPrefix("vuln_");
        foreach ((string file, string state) in vulnerabilities)
            output.WriteLine($"  {file["vuln_".Length..]}: {state}");

        // The TSC frequency comes from CPUID (leaves 0x15/0x16), not from a calibration
        // against the PIT, which a descheduled vCPU thread can make fail.
        Assert.Matches(@"^tsc: Detected [0-9]+\.[0-9]{3} MHz processor$", c["tsc_detected"]);
        Assert.DoesNotContain(c.TimeMessages, m => m.Contains("calibration using PIT", StringComparison.Ordinal));
        Assert.Equal(0, c.Long("pit_calibration_failures"));
        Assert.Equal(0, c.Long("timer_check_failures"));
        // The kernel keeps the TSC as its clocksource: with IA32_TSC_ADJUST announced it needs
        // no watchdog, which under host load compared it with jiffies that had stopped while
        // the CPU counting them was descheduled, and marked it unstable.
        Assert.Equal("tsc", c["clocksource"]);
        Assert.Equal(0, c.Long("tsc_unstable"));
        // The CPU flags Linux derives from the CPUID model: a TSC-deadline local APIC timer
        // that keeps running in idle (ARAT), and an invariant TSC.
        IReadOnlyList<string> flags = c.CpuFlags;
        foreach (string flag in new[] { "tsc", "tsc_deadline_timer", "constant_tsc", "nonstop_tsc", "tsc_known_freq", "tsc_adjust", "arat" })
            Assert.Contains(flag, flags);
        // No Meltdown, so no page-table isolation (a CR3 switch on every kernel entry).
        Assert.Equal("Not affected", c["vuln_meltdown"]);
        Assert.Equal(0, c.Long("pti_enabled"));
        Assert.DoesNotContain("pti", flags);
        // Nor any other flaw whose mitigation costs on every kernel entry or exit (MDS's
        // VERW, L1TF, ...): IA32_ARCH_CAPABILITIES says the CPU is immune. Linux assumes
        // Spectre v1/v2 on every Intel CPU; against v2 it uses enhanced IBRS (set once) and
        // BHI_DIS_S, not retpoline thunks on every indirect call or a branch-history loop
        // on every entry.
        Assert.NotEmpty(vulnerabilities);
        foreach ((string file, string state) in vulnerabilities)
        {
            if (file is not ("vuln_spectre_v1" or "vuln_spectre_v2"))
                Assert.True(state == "Not affected", $"{file["vuln_".Length..]}: {state}");
        }
        Assert.StartsWith("Mitigation: Enhanced", c["vuln_spectre_v2"]);
        Assert.DoesNotContain("Retpoline", c["vuln_spectre_v2"]);
        Assert.DoesNotContain("SW loop", c["vuln_spectre_v2"]);
    }
}
