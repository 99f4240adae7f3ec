using System.Text;
using Emu.Lab;

namespace Emu.Devices.Tests.Firmware;

// Level 1: the built-in firmware's virtio-blk driver against emu's
// virtio-blk-pci on a real image file, through KVM, ioeventfd and the worker.
public sealed class FirmwareVirtioBlkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emu-blk-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Image(string name, int megabytes)
    {
        string path = Path.Combine(_dir, name);
        using (var f = File.Create(path))
        {
            f.SetLength(megabytes << 20);
            f.Write("HOST-SECTOR0-OK!"u8);
        }
        return path;
    }

    // The firmware's pattern for sector s (blk_modes.c).
    private static byte[] Pattern(int sector)
    {
        var p = new byte[512];
        for (int i = 0; i < 512; i++)
            p[i] = (byte)((sector * 31 + i) & 0xFF);
        Encoding.ASCII.GetBytes($"EMU-BLK-SECTOR{sector:D2}").CopyTo(p, 0);
        return p;
    }

    [AccelFact]
    public void Firmware_self_test_passes_and_its_writes_are_in_the_image()
    {
        string image = Image("disk.img", 8);
        var run = EmuRun.Start("-m", "64", "-fw_cfg", "name=opt/emu/mode,string=blk-test",
            "-drive", $"file={image},if=none,id=d0,format=raw,cache=none", "-device", "virtio-blk-pci,drive=d0,serial=lvl1-disk");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("RESULT: PASS", run.Lines);
        Assert.Contains("virtio-blk: id 'lvl1-disk'", run.Lines);
        Assert.Contains("virtio-blk: sector 0 starts 'HOST-SECTOR0-OK!'", run.Lines);
        Assert.Contains("virtio-blk: 00:01.0 device 0x1042 capacity 16384 sectors, queue 256", run.Lines);
        byte[] disk = File.ReadAllBytes(image);
        for (int s = 8; s < 24; s++)
            Assert.Equal(Pattern(s), disk.AsSpan(s * 512, 512).ToArray());
    }

    [AccelFact]
    public void A_read_only_drive_refuses_the_firmwares_writes()
    {
        string image = Image("ro.img", 4);
        byte[] before = File.ReadAllBytes(image);
        var run = EmuRun.Start("-m", "64", "-fw_cfg", "name=opt/emu/mode,string=blk-test",
            "-drive", $"file={image},if=virtio,format=raw,readonly=on");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("test virtio-blk-readonly: ok", run.Lines);
        Assert.Contains(run.Lines, l => l.EndsWith(", read-only", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(image));
    }

    [AccelFact]
    public void The_iops_loop_reads_every_block_it_asks_for()
    {
        string image = Image("iops.img", 16);
        var run = EmuRun.Start("-m", "64", "-fw_cfg", "name=opt/emu/mode,string=blk-iops:8:2000",
            "-drive", $"file={image},if=none,id=d0,format=raw", "-device", "virtio-blk-pci,drive=d0");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("done blk-iops 2000", run.Lines);
        Assert.Contains(run.Lines, l => l.StartsWith("blk-iops qd=8 n=2000 ", StringComparison.Ordinal) && l.EndsWith(" errors=0", StringComparison.Ordinal));
    }

    // Bad options are refused before the accelerator opens: these need no KVM.
    [Fact]
    public void A_missing_image_fails_with_one_clear_line() =>
        AssertOneLineError("could not open '/nonexistent/disk.img'", "-drive", "file=/nonexistent/disk.img,if=virtio,format=raw");

    [Fact]
    public void An_unsupported_format_fails_with_one_clear_line() =>
        AssertOneLineError("format 'qcow2' is not supported", "-drive", "file=IMG,if=virtio,format=qcow2");

    [Fact]
    public void An_unknown_drive_fails_with_one_clear_line() =>
        AssertOneLineError("drive 'nosuch' not found", "-device", "virtio-blk-pci,drive=nosuch");

    [Fact]
    public void An_unknown_device_property_fails_with_one_clear_line() =>
        AssertOneLineError("property 'bogus' not found", "-device", "virtio-blk-pci,drive=d0,bogus=1");

    [Fact]
    public void A_drive_used_twice_fails_with_one_clear_line() =>
        AssertOneLineError("drive 'd0' is already in use", "-device", "virtio-blk-pci,drive=d0", "-device", "virtio-blk-pci,drive=d0");

    private void AssertOneLineError(string expected, params string[] extra)
    {
        string image = Image("bad.img", 1);
        var args = new List<string> { "-m", "64", "-drive", $"file={image},if=none,id=d0,format=raw" };
        foreach (string part in extra)
            args.Add(part.Replace("IMG", image, StringComparison.Ordinal));
        var run = EmuRun.Start(args.ToArray());

        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("emu: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }
}
