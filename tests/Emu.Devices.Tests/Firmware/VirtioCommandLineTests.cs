namespace Emu.Devices.Tests.Firmware;

// Bad -netdev / -device input for the virtio devices: one clear line on stderr, status 1.
// (Checked before the accelerator opens, so these need no KVM.)
public sealed class VirtioCommandLineTests
{
    private static void AssertOneLineError(string expected, params string[] args)
    {
        var run = EmuRun.Start(["-m", "64", .. args]);
        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("emu: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public void A_tap_that_cannot_be_opened_fails_with_one_clear_line() =>
        AssertOneLineError("could not configure tap 'lo'", "-netdev", "tap,id=n0,ifname=lo,script=no,downscript=no", "-device", "virtio-net-pci,netdev=n0");

    [Fact]
    public void An_unsupported_netdev_type_fails_with_one_clear_line() =>
        AssertOneLineError("netdev type 'user' is not supported", "-netdev", "user,id=n0");

    [Fact]
    public void A_network_script_is_refused_with_one_clear_line() =>
        AssertOneLineError("emu does not run network scripts", "-netdev", "tap,id=n0,ifname=emutest9,script=/etc/qemu-ifup");

    [Fact]
    public void An_unknown_netdev_fails_with_one_clear_line() =>
        AssertOneLineError("netdev 'nope' not found", "-device", "virtio-net-pci,netdev=nope");

    [Fact]
    public void A_bad_mac_fails_with_one_clear_line() =>
        AssertOneLineError("invalid mac 'zz'", "-chardev", "null,id=c0", "-device", "virtio-serial-pci,chardev=c0", "-device", "virtio-net-pci,netdev=nope,mac=zz");

    [Fact]
    public void A_chardev_used_twice_fails_with_one_clear_line() =>
        AssertOneLineError("chardev 'c0' is already in use", "-chardev", "null,id=c0", "-device", "virtio-serial-pci,chardev=c0", "-device", "virtio-serial-pci,chardev=c0");

    [Fact]
    public void An_unknown_virtio_property_fails_with_one_clear_line() =>
        AssertOneLineError("property 'bogus' not found", "-device", "virtio-rng-pci,bogus=1");
}
