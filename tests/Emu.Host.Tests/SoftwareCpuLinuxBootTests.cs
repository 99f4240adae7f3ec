using System.Diagnostics;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Debian's kernel on the software CPU at level 1 (no KVM anywhere): the uncompressed
// kernel through its PVH entry with the lab's busybox initramfs, -smp 2, checked the way
// a user would check a booted guest (shared/LAB.md level 3 guest, run by emu directly).
public sealed class SoftwareCpuLinuxBootTests(ITestOutputHelper output)
{
    const int Cpus = 2;
    const long MemoryMiB = 512;

    [LabFact]
    public void Debian_kernel_boots_to_userspace_on_the_software_cpu_with_2_cpus_and_poweroff_exits_0()
    {
        LabEnvironment env = LabEnvironment.Current;
        env.EnsureLevel2();
        string vmlinux = LinuxBootKernels.ExtractVmlinux(env.KernelPath!, env.CacheDirectory);
        Level3Guest guest = Level3Guest.Create(LinuxBootChecks.Script);
        long hostEpoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var clock = Stopwatch.StartNew();
        EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(10), "-accel", "tcg", "-machine", "q35", "-smp", Cpus.ToString(), "-m", $"{MemoryMiB}M",
            "-nographic", "-no-reboot", "-kernel", vmlinux, "-initrd", guest.InitrdPath, "-append", guest.KernelCommandLine);
        output.WriteLine($"emu exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);

        Level3Output console = Level3Output.Parse(run.Stdout);
        Assert.True(console.Completed, "the level-3 check script did not finish");
        Assert.Equal(0, console.ExitCode);
        Assert.Empty(console.Warnings);
        var c = new LinuxBootChecks(console.Lines);
        // SMP: both vCPUs came up.
        Assert.Equal(Cpus.ToString(), c["cpus"]);
        Assert.Equal("0-1", c["online"]);
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
        // poweroff -f in the guest ends emu with status 0 and nothing on stderr.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }
}
