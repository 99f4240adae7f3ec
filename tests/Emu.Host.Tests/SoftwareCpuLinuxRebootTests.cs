using System.Diagnostics;
using System.Text.Json;
using Emu.Host.Tests.Qmp;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Debian's kernel on the software CPU at level 1 (no KVM anywhere), -smp 2, through its
// PVH entry (and a reboot through the bzImage's entry too): every way a user resets the machine from inside the guest must reset it and
// boot Linux again through the same direct kernel boot (the second boot's init runs), or,
// with -no-reboot, end emu with status 0 as QEMU does. The same for the orderly paths
// through busybox init, and for system_reset and system_powerdown over QMP.
public sealed class SoftwareCpuLinuxRebootTests(ITestOutputHelper output)
{
    const string Cpus = "2";
    const string Memory = "256M";

    // The first boot reboots with reboot -f, the second powers off.
    const string RebootOnceThenPowerOff = """
        if [ "$boot" -lt 2 ]; then reboot -f; else poweroff -f; fi
        sleep 30
        mark "warn: the power action did not happen"
        """;

    // Linux's default (no reboot= word): the FADT reset register, then the 8042.
    [LabFact]
    public void Reboot_f_with_the_kernels_default_method_boots_linux_again() => RebootsAndBootsAgain([]);

    // reboot=pci: the PCI reset control register at port 0xCF9.
    [LabFact]
    public void Reboot_f_through_port_cf9_boots_linux_again() => RebootsAndBootsAgain(["reboot=pci"]);

    // reboot=kbd: the 8042 keyboard controller's pulse of the CPU reset line (command 0xFE).
    [LabFact]
    public void Reboot_f_through_the_8042_boots_linux_again() => RebootsAndBootsAgain(["reboot=kbd"]);

    // reboot=acpi: the FADT's RESET_REG.
    [LabFact]
    public void Reboot_f_through_the_acpi_reset_register_boots_linux_again() => RebootsAndBootsAgain(["reboot=acpi"]);

    // The same reset with the kernel booted as the bzImage: the reset loads it again and its
    // decompressor runs a second time.
    [LabFact]
    public void Reboot_f_boots_the_bzImage_again() => RebootsAndBootsAgain([], bzImage: true);

    // With -no-reboot a reset by the guest ends emu with status 0, after one boot.
    [LabFact]
    public void With_no_reboot_a_guest_reboot_ends_emu_with_status_0()
    {
        RebootGuest guest = RebootGuest.Create("""
            reboot -f
            sleep 30
            mark "warn: reboot did not happen"
            """);
        EmuProcess run = RunEmu(guest, "-no-reboot");
        Assert.Equal([1], RebootGuest.BootNumbers(run.Stdout));
        Assert.Contains("reboot: Restarting system", run.Stdout);
        Assert.Empty(RebootGuest.Problems(run.Stdout));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }

    // An orderly reboot, then an orderly power-off, both through busybox init as PID 1
    // (it runs its shutdown entries, kills every process, then calls reboot(2)).
    [LabFact]
    public void Orderly_reboot_and_poweroff_through_busybox_init_boot_again_and_end_emu_with_status_0()
    {
        RebootGuest guest = RebootGuest.Create("""
            if [ "$boot" -lt 2 ]; then reboot; else poweroff; fi
            sleep 30
            mark "warn: init did not act"
            """, busyboxInit: true);
        EmuProcess run = RunEmu(guest);
        Assert.Equal([1, 2], RebootGuest.BootNumbers(run.Stdout));
        Assert.Equal(2, RebootGuest.Marks(run.Stdout).Count(m => m == "init: shutting down"));
        Assert.Contains("reboot: Restarting system", run.Stdout);
        Assert.Empty(RebootGuest.Problems(run.Stdout));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }

    // QMP system_reset resets the machine under a running Linux: it boots again (the
    // second boot's init counts 2, then powers off).
    [LabFact]
    public async Task System_reset_over_qmp_boots_linux_again()
    {
        RebootGuest guest = RebootGuest.Create("""
            if [ "$boot" -lt 2 ]; then mark "waiting-for-system-reset"; sleep 600; else poweroff -f; fi
            sleep 30
            mark "warn: the power action did not happen"
            """);
        var clock = Stopwatch.StartNew();
        await using VmProcess vm = StartWithQmp(guest);
        int rc;
        try
        {
            await WaitForConsoleAsync(vm, "waiting-for-system-reset");
            await using QmpTestClient qmp = await vm.ConnectAsync();
            await qmp.ReturnOfAsync("system_reset");
            JsonElement reset = await qmp.WaitForEventAsync("RESET", GuestTime);
            Assert.False(reset.GetProperty("data").GetProperty("guest").GetBoolean());
            JsonElement shutdown = await qmp.WaitForEventAsync("SHUTDOWN", GuestTime);
            Assert.True(shutdown.GetProperty("data").GetProperty("guest").GetBoolean(), shutdown.ToString());
            rc = await vm.WaitForExitAsync(GuestTime);
        }
        finally
        {
            Report(vm, clock);
        }

        Assert.Equal([1, 2], RebootGuest.BootNumbers(vm.SerialOutput));
        Assert.Empty(RebootGuest.Problems(vm.SerialOutput));
        Assert.Equal(0, rc);
    }

    // With -no-reboot, QMP system_reset ends emu with status 0 instead of resetting, as
    // QEMU 7.2 does (SHUTDOWN with guest false and reason host-qmp-system-reset).
    [LabFact]
    public async Task With_no_reboot_system_reset_over_qmp_ends_emu_with_status_0_as_qemu_does()
    {
        RebootGuest guest = RebootGuest.Create("""
            mark "waiting-for-system-reset"
            sleep 600
            mark "warn: no system_reset"
            """);
        var clock = Stopwatch.StartNew();
        await using VmProcess vm = StartWithQmp(guest, "-no-reboot");
        int rc;
        try
        {
            await WaitForConsoleAsync(vm, "waiting-for-system-reset");
            await using QmpTestClient qmp = await vm.ConnectAsync();
            await qmp.ReturnOfAsync("system_reset");
            JsonElement shutdown = await qmp.WaitForEventAsync("SHUTDOWN", GuestTime);
            Assert.False(shutdown.GetProperty("data").GetProperty("guest").GetBoolean(), shutdown.ToString());
            Assert.Equal("host-qmp-system-reset", shutdown.GetProperty("data").GetProperty("reason").GetString());
            rc = await vm.WaitForExitAsync(GuestTime);
        }
        finally
        {
            Report(vm, clock);
        }

        Assert.Equal([1], RebootGuest.BootNumbers(vm.SerialOutput));
        Assert.Empty(RebootGuest.Problems(vm.SerialOutput));
        Assert.Equal(0, rc);
    }

    // QMP system_powerdown presses the ACPI power button; the guest acts on it: the
    // kernel's button driver counts the fixed power-button event (ff_pwr_btn), a watcher
    // in the guest (what acpid or logind is on a distribution) calls poweroff, and
    // busybox init shuts down and enters S5. emu then ends with status 0.
    [LabFact]
    public async Task System_powerdown_over_qmp_makes_linux_power_off_and_emu_exit_0()
    {
        RebootGuest guest = RebootGuest.Create("""
            mark "waiting-for-power-button"
            while [ "$(awk '{print $1}' /sys/firmware/acpi/interrupts/ff_pwr_btn)" = 0 ]; do sleep 0.2; done
            mark "power button pressed"
            poweroff
            sleep 60
            mark "warn: init did not power off"
            """, modules: ["button"], busyboxInit: true);
        var clock = Stopwatch.StartNew();
        await using VmProcess vm = StartWithQmp(guest);
        int rc;
        try
        {
            await WaitForConsoleAsync(vm, "waiting-for-power-button");
            await using QmpTestClient qmp = await vm.ConnectAsync();
            await qmp.ReturnOfAsync("system_powerdown");
            await qmp.WaitForEventAsync("POWERDOWN", GuestTime);
            JsonElement shutdown = await qmp.WaitForEventAsync("SHUTDOWN", GuestTime);
            Assert.True(shutdown.GetProperty("data").GetProperty("guest").GetBoolean(), shutdown.ToString());
            rc = await vm.WaitForExitAsync(GuestTime);
        }
        finally
        {
            Report(vm, clock);
        }

        IReadOnlyList<string> marks = RebootGuest.Marks(vm.SerialOutput);
        Assert.Equal([1], RebootGuest.BootNumbers(vm.SerialOutput));
        Assert.Contains("power button pressed", marks);
        Assert.Contains("init: shutting down", marks);
        Assert.Empty(RebootGuest.Problems(vm.SerialOutput));
        Assert.Equal(0, rc);
    }

    // Boots under a loaded host take a while on the software CPU.
    static readonly TimeSpan GuestTime = TimeSpan.FromMinutes(5);

    static VmProcess StartWithQmp(RebootGuest guest, params string[] extra) =>
        VmProcess.StartEmuWithSerialFile(["-accel", "tcg", "-machine", "q35", "-smp", Cpus, "-m", Memory, .. extra, .. guest.BootArgs]);

    static async Task WaitForConsoleAsync(VmProcess vm, string mark)
    {
        DateTime deadline = DateTime.UtcNow + GuestTime;
        while (!RebootGuest.Marks(vm.SerialOutput).Contains(mark))
        {
            Assert.False(vm.Process.HasExited, $"emu exited before the guest said {mark}: {vm.Stderr}\n{vm.SerialOutput}");
            Assert.True(DateTime.UtcNow < deadline, $"the guest did not say {mark}:\n{vm.SerialOutput}");
            await Task.Delay(200);
        }
    }

    void Report(VmProcess vm, Stopwatch clock)
    {
        output.WriteLine($"emu {(vm.Process.HasExited ? $"exit {vm.Process.ExitCode}" : "still running")} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(vm.SerialOutput);
        output.WriteLine(vm.Stderr);
    }

    void RebootsAndBootsAgain(string[] kernelArgs, bool bzImage = false)
    {
        RebootGuest guest = RebootGuest.Create(RebootOnceThenPowerOff, kernelArgs);
        EmuProcess run = RunEmu(guest, bzImage);
        // Two boots, each counted by its own init: the reset re-ran the direct kernel boot
        // and the kernel came up again with both CPUs.
        Assert.Equal([1, 2], RebootGuest.BootNumbers(run.Stdout));
        Assert.All(RebootGuest.Marks(run.Stdout).Where(m => m.StartsWith("boot=", StringComparison.Ordinal)),
            m => Assert.Contains("cpus=2 online=0-1", m));
        Assert.Contains("reboot: Restarting system", run.Stdout);
        Assert.Empty(RebootGuest.Problems(run.Stdout));
        // The second boot powered off: emu ends with status 0 and nothing on stderr.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }

    EmuProcess RunEmu(RebootGuest guest, params string[] extra) => RunEmu(guest, false, extra);

    EmuProcess RunEmu(RebootGuest guest, bool bzImage, params string[] extra)
    {
        var args = new List<string> { "-accel", "tcg", "-machine", "q35", "-smp", Cpus, "-m", Memory, "-nographic" };
        args.AddRange(extra);
        args.AddRange(bzImage ? guest.BzImageBootArgs : guest.BootArgs);
        var clock = Stopwatch.StartNew();
        EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(10), [.. args]);
        output.WriteLine($"emu {string.Join(' ', extra)} {guest.KernelCommandLine}: exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);
        return run;
    }
}
