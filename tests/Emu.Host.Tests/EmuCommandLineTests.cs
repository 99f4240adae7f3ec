using Emu.Lab;

namespace Emu.Host.Tests;

public sealed class EmuCommandLineTests
{
    [AccelFact]
    public void TheBuiltInFirmwarePassesAndExitsZero()
    {
        EmuProcess run = EmuProcess.Run();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Emu firmware", run.Stdout);
        Assert.Contains("test cpuid: ok", run.Stdout);
        Assert.Contains("RESULT: PASS", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    // The README's first command: KVM where /dev/kvm works, the software CPU elsewhere, said in one line.
    [Fact]
    public void WithNoArgumentsTheFirmwareRunsOnWhateverAcceleratorTheHostHas()
    {
        EmuProcess run = EmuProcess.Run();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("RESULT: PASS", run.Stdout);
        if (LabRequirements.KvmMissingReason is null)
        {
            Assert.Equal("", run.Stderr);
            return;
        }
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("emu: ", line);
        Assert.EndsWith("; running on the software CPU (-accel tcg)", line);
    }

    [AccelFact]
    public void TheFirmwareModeComesFromFwCfg()
    {
        EmuProcess run = EmuProcess.Run("-fw_cfg", "name=opt/emu/mode,string=pio:1000");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("done pio 1000", run.Stdout);
    }

    [AccelFact]
    public void ABadModeFailsThroughDebugExit()
    {
        EmuProcess run = EmuProcess.Run("-fw_cfg", "name=opt/emu/mode,string=bogus");
        Assert.Equal((2 << 1) | 1, run.ExitCode);
        Assert.Contains("bad mode 'bogus'", run.Stdout);
    }

    [AccelFact]
    public void SmpBootsWithTwoVcpusAndMoreMemory()
    {
        EmuProcess run = EmuProcess.Run("-smp", "2", "-m", "1G");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("RESULT: PASS", run.Stdout);
    }

    [Fact]
    public void VersionAndHelpPrintAndExitZero()
    {
        EmuProcess version = EmuProcess.Run("-version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("emu version ", version.Stdout);
        EmuProcess help = EmuProcess.Run("-h");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("-bios FILE", help.Stdout);
    }

    [Fact]
    public void HelpListsMachinesAndDevices()
    {
        EmuProcess machines = EmuProcess.Run("-machine", "help");
        Assert.Contains("q35", machines.Stdout);
        EmuProcess devices = EmuProcess.Run("-device", "help");
        Assert.Contains("isa-debug-exit", devices.Stdout);
        EmuProcess props = EmuProcess.Run("-device", "isa-debug-exit,help");
        Assert.Contains("iobase=<uint16>", props.Stdout);
    }

    [Theory]
    [InlineData(new[] { "-frobnicate" }, "unknown option '-frobnicate'")]
    [InlineData(new[] { "-m" }, "requires an argument")]
    [InlineData(new[] { "-m", "lots" }, "invalid RAM size 'lots'")]
    [InlineData(new[] { "-m", "1M" }, "too small")]
    [InlineData(new[] { "-smp", "0" }, "at least one CPU")]
    [InlineData(new[] { "-smp", "100000" }, "exceeds the maximum")]
    [InlineData(new[] { "-accel", "hvf" }, "unsupported accelerator 'hvf' (kvm, tcg")]
    [InlineData(new[] { "-accel", "tcg,thread=single" }, "thread=single is not supported")]
    [InlineData(new[] { "-accel", "tcg", "-cpu", "host" }, "unsupported CPU model for -accel tcg (max, qemu64)")]
    [InlineData(new[] { "-cpu", "max,+avx" }, "CPU feature options are not supported")]
    [InlineData(new[] { "-machine", "pc-i440fx" }, "unsupported machine type")]
    [InlineData(new[] { "-device", "no-such-device" }, "'no-such-device' is not a valid device type")]
    [InlineData(new[] { "-device", "isa-debug-exit,colour=red" }, "property 'colour' not found")]
    [InlineData(new[] { "-device", "isa-debug-exit,iobase=0x10000" }, "iobase")]
    [InlineData(new[] { "-serial", "pty" }, "unsupported character device")]
    [InlineData(new[] { "-serial", "stdio", "-serial", "stdio" }, "stdio is already used")]
    [InlineData(new[] { "-global", "isa-serial.nothing=1" }, "no property 'nothing'")]
    [InlineData(new[] { "-display", "gtk" }, "headless")]
    [InlineData(new[] { "disk.img" }, "invalid argument 'disk.img'")]
    [InlineData(new[] { "-m", "128M", "-object", "memory-backend-ram,id=m,size=256M", "-machine", "memory-backend=m" }, "-m 128 MiB does not match the size of memory backend 'm' (256 MiB)")]
    [InlineData(new[] { "-object", "memory-backend-file,id=m,size=64M,mem-path=/dev/null,share=on", "-machine", "memory-backend=m" }, "the file system of '/dev/null' refuses a shared mapping (share=on)")]
    [InlineData(new[] { "-object", "memory-backend-file,id=m,size=64M,mem-path=/nonexistent/guest.ram", "-machine", "memory-backend=m" }, "mem-path '/nonexistent/guest.ram' does not exist")]
    [InlineData(new[] { "-object", "memory-backend-ram,id=m", "-machine", "memory-backend=m" }, "size= is missing")]
    [InlineData(new[] { "-machine", "memory-backend=nope" }, "-machine memory-backend=nope: no object with id 'nope'")]
    [InlineData(new[] { "-object", "memory-backend-ram,id=pc.ram,size=128M" }, "reserved for the default RAM backend")]
    public void BadInputIsOneClearLineAndStatusOne(string[] args, string expected)
    {
        EmuProcess run = EmuProcess.Run(args);
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("emu: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void AMissingBiosFileIsReported()
    {
        EmuProcess run = EmuProcess.Run("-bios", "/nonexistent/firmware.rom");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("emu: -bios /nonexistent/firmware.rom: no such file", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ADirectoryAsBiosIsReported()
    {
        EmuProcess run = EmuProcess.Run("-bios", "/tmp");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("is a directory", Assert.Single(run.ErrorLines));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(0x10000 + 1)]
    public void ABiosOfTheWrongSizeIsReported(int size)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-bad-{Guid.NewGuid():N}.rom");
        File.WriteAllBytes(path, new byte[size]);
        try
        {
            EmuProcess run = EmuProcess.Run("-bios", path);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("not a valid firmware size", Assert.Single(run.ErrorLines));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingKvmDeviceIsReported()
    {
        EmuProcess run = EmuProcess.Run("-accel", "kvm,device=/nonexistent/kvm");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/nonexistent/kvm does not exist", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void ADeviceThatIsNotKvmIsReported()
    {
        EmuProcess run = EmuProcess.Run("-accel", "kvm,device=/dev/null");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/dev/null is not a KVM device", Assert.Single(run.ErrorLines));
    }

    [AccelFact]
    public void APidFileIsWrittenAndRemoved()
    {
        string pidFile = Path.Combine(Path.GetTempPath(), $"emu-{Guid.NewGuid():N}.pid");
        using var process = EmuProcess.Start("-pidfile", pidFile, "-fw_cfg", "name=opt/emu/mode,string=pio:100000000");
        try
        {
            SpinWait.SpinUntil(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(20));
            Assert.Equal(process.Id.ToString(), File.ReadAllText(pidFile).Trim());
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }
}
