using Emu.Lab;
using Xunit.Abstractions;

namespace Emu.Lab.Tests;

// Real VFIO (level 2, Linux 6.1, group/container path) under emu, with the built-in
// firmware as the guest: emu opens, maps and releases a real NVMe controller, and every
// bad-input case gives one line and status 1. All checks share one level-2 boot.
public class VfioLabTests(ITestOutputHelper output)
{
    Task<VfioLabRun> Run() => VfioLabRun.GetAsync(output.WriteLine);

    void Dump(VfioLabRun run, string job)
    {
        output.WriteLine($"job {job}: exit {run[job].ExitCode}, {run[job].GuestSeconds:F1} s in level 2");
        foreach (string line in run[job].OutputLines)
            output.WriteLine($"{job}| {line}");
    }

    [LabFact]
    public async Task Emu_passes_a_real_nvme_controller_to_its_firmware_guest_and_releases_it_on_Linux_6_1()
    {
        VfioLabRun run = await Run();
        Dump(run, "firmware");
        var v = run.Values("firmware");
        Assert.StartsWith("0000:", v["nvme"]);
        Assert.Equal("0", v["emu_exit"]);
        Assert.Equal("0", v["emu_again_exit"]);
    }

    // Malformed address, a function that does not exist, one bound to no driver, the same
    // function twice, no /dev/vfio, no permission, a function another emu holds.
    [LabFact]
    public async Task Every_bad_host_setup_fails_with_one_line_and_status_1_on_Linux_6_1()
    {
        VfioLabRun run = await Run();
        Dump(run, "bad-input");
        var v = run.Values("bad-input");
        var expected = new (string Case, string Message)[]
        {
            ("malformed", "is not a PCI address"),
            ("missing", "no such PCI device"),
            ("unbound", "is not bound to any driver, not vfio-pci"),
            ("twice", "already in use"),
            ("novfio", "/dev/vfio/vfio does not exist"),
            ("noperm", "permission denied opening /dev/vfio/"),
            ("busy", "busy"),
        };
        var wrong = new List<string>();
        foreach (var (name, message) in expected)
        {
            string rc = v.GetValueOrDefault($"{name}_rc", "?"), lines = v.GetValueOrDefault($"{name}_lines", "?"), err = v.GetValueOrDefault($"{name}_err", "").Replace('_', ' ');
            if (rc != "1" || lines != "1" || !err.Contains(message, StringComparison.Ordinal))
                wrong.Add($"{name}: status {rc}, {lines} line(s): '{err}' (expected '{message}')");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
