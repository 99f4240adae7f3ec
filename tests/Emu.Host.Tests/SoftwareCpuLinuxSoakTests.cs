using System.Diagnostics;
using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Host.Tests;

// Issue 13's soak: Debian's kernel boots 20 times in a row on the software CPU at level 1
// (-smp 2, PVH entry) while the rest of the suite runs beside it, without a hang or a
// panic. One emu process: each boot's init counts itself in CMOS RAM and reboots, the
// 20th powers off. The reset method rotates through the ones a PC has (the FADT reset
// register, port 0xCF9, the 8042) by the kernel's /sys/kernel/reboot/type.
public sealed class SoftwareCpuLinuxSoakTests(ITestOutputHelper output)
{
    const int Boots = 20;

    const string Action = """
        if [ "$boot" -lt BOOTS ]; then
            case $((boot % 3)) in 0) t=acpi ;; 1) t=pci ;; *) t=kbd ;; esac
            echo $t > /sys/kernel/reboot/type
            reboot -f
        else
            poweroff -f
        fi
        sleep 30
        mark "warn: the power action did not happen"
        """;

    [LabFact]
    public void Linux_boots_20_times_in_a_row_without_a_hang_or_panic()
    {
        RebootGuest guest = RebootGuest.Create(Action.Replace("BOOTS", Boots.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        // A hang in any boot ends the run at the timeout (a failure); 20 boots need a few minutes.
        EmuProcess run = EmuProcess.Run(TimeSpan.FromMinutes(30), ["-accel", "tcg", "-machine", "q35", "-smp", "2", "-m", "256M", "-nographic", .. guest.BootArgs]);
        output.WriteLine($"emu exit {run.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);

        // Every boot reached its init, in order, with both CPUs online.
        Assert.Equal(Enumerable.Range(1, Boots), RebootGuest.BootNumbers(run.Stdout));
        foreach (string boot in RebootGuest.Marks(run.Stdout).Where(m => m.StartsWith("boot=", StringComparison.Ordinal)))
            Assert.Contains("cpus=2 online=0-1", boot);
        // 19 resets, no panic, oops, warning, lockup or timer failure in any boot.
        Assert.Equal(Boots - 1, TextLines.Split(run.Stdout).Count(l => l.Contains("reboot: Restarting system", StringComparison.Ordinal)));
        Assert.Empty(RebootGuest.Problems(run.Stdout));
        // The last boot powered off.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
    }
}
