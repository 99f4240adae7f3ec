using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// The acceptance of "boot stock Linux": emu boots Debian's kernel inside the nested lab
// (level 2 has a real KVM; this machine's PVM cannot boot Linux) with
// "-machine q35 -smp 2 -m 1024M -nographic -kernel -initrd -append", and the guest is
// checked the way a user would check it. All jobs share one level-2 boot (LinuxBootLabRun).
public class LinuxBootLabTests(ITestOutputHelper output)
{
    Task<LinuxBootLabRun> Run() => LinuxBootLabRun.GetAsync(output.WriteLine);

    void Report(LinuxBootEmuRun run)
    {
        output.WriteLine($"job {run.Job.Name}: emu exit {run.ExitCode}, {run.Seconds:F1} s in level 2 (job {run.Job.GuestSeconds:F1} s)");
        foreach (string line in run.Stderr)
            output.WriteLine("emu stderr: " + line);
        foreach (string line in run.Guest.Lines)
            output.WriteLine("L3| " + line);
    }

    static void AssertBootedLikeAUserExpects(LinuxBootLabRun lab, LinuxBootEmuRun run)
    {
        string why = lab.Result.Describe();
        Assert.True(run.Guest.Completed, "the level-3 check script did not finish\n" + why);
        Assert.Equal(0, run.Guest.ExitCode);
        Assert.Empty(run.Guest.Warnings);
        var c = new LinuxBootChecks(run.Guest.Lines);
        // SMP: both vCPUs online.
        Assert.Equal(LinuxBootLabRun.Cpus.ToString(), c["cpus"]);
        Assert.Equal("0-1", c["online"]);
        // Memory: the E820 map reports all of -m as RAM except the legacy holes below 1 MiB,
        // and the kernel has nearly all of it.
        long ram = LinuxBootLabRun.MemoryMiB << 20;
        Assert.InRange(c.Long("e820_ram"), ram - (1 << 20), ram);
        Assert.InRange(c.Long("memtotal_kib") << 10, ram * 8 / 10, ram);
        // The command line arrived whole.
        Assert.Equal(lab.Guest.KernelCommandLine, c["cmdline"].Trim());
        // ACPI: the tables are there and nothing complained about them.
        foreach (string table in new[] { "APIC", "DSDT", "FACP", "MCFG" })
            Assert.Contains(table, c["acpi_tables"].Split(' '));
        Assert.Empty(c.Problems);
        Assert.Equal(0, c.Long("acpi_problems"));
        Assert.Equal(0, c.Long("firmware_bugs"));
        // A working clock: the wall clock (from the CMOS RTC) is the host's, and time passes.
        Assert.NotNull(run.HostEpoch);
        Assert.InRange(c.Long("epoch"), run.HostEpoch!.Value - 60, run.HostEpoch.Value + 600);
        Assert.InRange(c.Long("rtc_epoch"), c.Long("epoch") - 5, c.Long("epoch") + 5);
        Assert.True(c.Double("uptime_step") >= 0.9, $"uptime advanced {c["uptime_step"]} s over sleep 1");
        Assert.Contains(c["clocksource"], new[] { "kvm-clock", "tsc" });
        // The console UART's interrupt works (the 8250 driver runs on IRQ 4, not polling).
        Assert.True(c.Long("serial_irqs") > 0, "no ttyS0 interrupts");
        // poweroff inside the guest ends emu with status 0.
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
    }

    [LabFact]
    public async Task Debian_bzImage_boots_to_userspace_with_2_cpus_acpi_and_a_clock_and_poweroff_exits_0()
    {
        LinuxBootLabRun lab = await Run();
        LinuxBootEmuRun run = lab["bzimage"];
        Report(run);
        AssertBootedLikeAUserExpects(lab, run);
    }

    [LabFact]
    public async Task The_uncompressed_kernel_boots_the_same_way_through_its_PVH_entry()
    {
        LinuxBootLabRun lab = await Run();
        LinuxBootEmuRun run = lab["pvh"];
        Report(run);
        byte[] magic = new byte[4];
        using (var f = File.OpenRead(lab.VmlinuxPath))
            f.ReadExactly(magic);
        Assert.Equal("\u007fELF"u8.ToArray(), magic);
        AssertBootedLikeAUserExpects(lab, run);
    }

    [LabFact]
    public async Task Reboot_inside_the_guest_resets_the_machine_and_it_boots_again()
    {
        LinuxBootLabRun lab = await Run();
        LinuxBootEmuRun run = lab["reboot"];
        Report(run);
        // Two boots in one emu process: the first rebooted, the second remembered it in CMOS RAM.
        Assert.Equal(2, run.Job.OutputLines.Count(l => l.Contains(Level3Guest.BeginMarker, StringComparison.Ordinal)));
        Assert.Equal(["boot=1 cpus=2", "boot=2 cpus=2 marker=1"], run.Guest.Lines);
        Assert.Equal(0, run.Guest.ExitCode);
        Assert.Equal(0, run.ExitCode);
    }

    [LabFact]
    public async Task System_powerdown_over_QMP_presses_the_ACPI_power_button_and_the_guest_powers_off()
    {
        LinuxBootLabRun lab = await Run();
        LinuxBootEmuRun run = lab["power-button"];
        Report(run);
        Assert.Contains(run.Job.OutputLines, l => l.StartsWith("qmp: {\"QMP\"", StringComparison.Ordinal));
        Assert.Equal(2, run.Job.OutputLines.Count(l => l == "qmp: {\"return\": {}}" || l == "qmp: {\"return\":{}}"));
        Assert.Equal(["ready-for-power-button", "power-button-events=1"], run.Guest.Lines);
        Assert.Equal(0, run.Guest.ExitCode);
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
    }

    [LabFact]
    public async Task A_guest_that_triple_faults_ends_emu_with_a_clear_message_and_a_nonzero_status()
    {
        LinuxBootLabRun lab = await Run();
        LinuxBootEmuRun run = lab["triple-fault"];
        Report(run);
        Assert.Contains("about to reboot by triple fault", run.Guest.Lines);
        Assert.NotNull(run.ExitCode);
        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEqual(124, run.ExitCode); // not the job's timeout
        Assert.Contains(run.Stderr, l => l.StartsWith("emu: vcpu", StringComparison.Ordinal) && l.Contains("triple-faulted", StringComparison.Ordinal));
    }
}
