namespace Emu.Host.Tests;

// The built-in firmware in every mode on the software CPU, with one and two vCPUs, at
// level 1 (no KVM needed): the same ROM and modes the KVM tests run.
public sealed class SoftwareCpuFirmwareTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-tcg-fw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("selftest", 1, "RESULT: PASS")]
    [InlineData("selftest", 2, "RESULT: PASS")]
    [InlineData("none", 1, "done none")]
    [InlineData("none", 2, "done none")]
    [InlineData("pio:200000", 1, "done pio 200000")]
    [InlineData("pio:200000", 2, "done pio 200000")]
    [InlineData("mmio:200000", 1, "done mmio 200000")]
    [InlineData("mmio:200000", 2, "done mmio 200000")]
    public void Each_mode_completes(string mode, int cpus, string expected)
    {
        EmuProcess run = EmuProcess.Run("-accel", "tcg", "-smp", cpus.ToString(), "-fw_cfg", $"name=opt/emu/mode,string={mode}");
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains(expected, run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_virtio_blk_modes_complete(int cpus)
    {
        string image = Path.Combine(_dir, $"disk{cpus}.img");
        using (var f = File.Create(image))
            f.SetLength(16 << 20);
        EmuProcess test = EmuProcess.Run("-accel", "tcg", "-smp", cpus.ToString(), "-fw_cfg", "name=opt/emu/mode,string=blk-test",
            "-drive", $"file={image},if=virtio,format=raw");
        Assert.True(test.ExitCode == 0, $"exit {test.ExitCode}\n{test.Stdout}\n{test.Stderr}");
        Assert.Contains("RESULT: PASS", test.Stdout);
        EmuProcess iops = EmuProcess.Run("-accel", "tcg", "-smp", cpus.ToString(), "-fw_cfg", "name=opt/emu/mode,string=blk-iops:8:2000",
            "-drive", $"file={image},if=virtio,format=raw");
        Assert.True(iops.ExitCode == 0, $"exit {iops.ExitCode}\n{iops.Stdout}\n{iops.Stderr}");
        Assert.Contains(iops.Stdout.Split('\n'), l => l.StartsWith("blk-iops qd=8 n=2000 ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" errors=0", StringComparison.Ordinal));
    }

    // The fault mode raises #UD at CPL3; the firmware's handler reports vector 6 and exits with code 3.
    [Fact]
    public void A_guest_exception_reaches_the_guests_handler()
    {
        EmuProcess run = EmuProcess.Run("-accel", "tcg", "-fw_cfg", "name=opt/emu/mode,string=fault");
        Assert.Equal((3 << 1) | 1, run.ExitCode);
        Assert.Contains("EXCEPTION vec=0x06", run.Stdout);
    }
}
