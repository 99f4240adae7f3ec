using Emu.Core.Boot;

namespace Emu.Core.Tests.Boot;

public sealed class LinuxSetupHeaderTests
{
    /// <summary>The host's own kernels: what users boot.</summary>
    public static IEnumerable<object[]> HostKernels() =>
        Directory.Exists("/boot")
            ? Directory.GetFiles("/boot", "vmlinuz-*").Select(p => new object[] { p })
            : Enumerable.Empty<object[]>();

    [Theory]
    [MemberData(nameof(HostKernels))]
    public void TheHostsKernelsParseAsBootableBzImages(string path)
    {
        using BootFile file = BootFile.Open(path);
        BzImage image = BzImage.Parse(file);
        LinuxSetupHeader h = image.Header;
        Assert.True(h.Version >= 0x020C, $"protocol {h.VersionText}");
        Assert.NotEqual(0, h.XLoadFlags & LinuxSetupHeader.KernelHas64BitEntry);
        Assert.True(h.InitSize > 0);
        Assert.True(h.CmdlineSize >= 255);
        Assert.True(h.PrefAddress >= 0x10_0000);
        Assert.Equal((h.SetupSectors + 1) * 512, image.KernelOffset);
        // The payload is the compressed vmlinux: it starts with a known compressor's magic.
        (long offset, long length) = image.Payload;
        Assert.True(length > 1 << 20);
        byte[] payload = file.ReadBytes(offset, 16);
        byte[][] magics = { new byte[] { 0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z' }, new byte[] { 0x1F, 0x8B }, new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, new byte[] { 0x5D, 0x00 }, new byte[] { 0x02, 0x21, 0x4C, 0x18 } };
        Assert.Contains(magics, m => payload.AsSpan().StartsWith(m));
    }

    [Fact]
    public void ASyntheticHeaderReadsBackItsFields()
    {
        byte[] file = SyntheticKernels.BzImage(version: 0x020D, initSize: 0x123_4000, prefAddress: 0x200_0000, cmdlineSize: 0x1000, initrdAddrMax: 0x3FFF_FFFF);
        BzImage image = BzImage.Parse(file);
        Assert.Equal(0x020D, image.Header.Version);
        Assert.Equal("2.13", image.Header.VersionText);
        Assert.Equal(0x123_4000u, image.Header.InitSize);
        Assert.Equal(0x200_0000UL, image.Header.PrefAddress);
        Assert.Equal(0x1000u, image.Header.CmdlineSize);
        Assert.Equal(0x3FFF_FFFFu, image.Header.InitrdAddrMax);
        Assert.True(image.Header.Relocatable);
        Assert.Equal(5 * 512, image.KernelOffset);
        Assert.Equal(file.Length - 5 * 512, image.KernelLength);
        Assert.Equal(0x6A + 0x202 - 0x1F1, image.HeaderBytes.Length);
    }

    [Theory]
    [InlineData(0x0206, "boot protocol 2.06 is too old")]
    [InlineData(0x020A, "boot protocol 2.10 is too old")]
    public void OldProtocolsAreRefused(ushort version, string message)
    {
        var e = Assert.Throws<BootImageException>(() => BzImage.Parse(SyntheticKernels.BzImage(version: version)));
        Assert.Equal(BootInput.Kernel, e.Input);
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A32BitKernelIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => BzImage.Parse(SyntheticKernels.BzImage(xloadFlags: 0)));
        Assert.Contains("no 64-bit entry point", e.Message);
    }

    [Fact]
    public void AZImageIsRefused()
    {
        var e = Assert.Throws<BootImageException>(() => BzImage.Parse(SyntheticKernels.BzImage(loadFlags: 0)));
        Assert.Contains("zImage", e.Message);
    }

    [Fact]
    public void FilesThatAreNotKernelsAreRefused()
    {
        var text = Assert.Throws<BootImageException>(() => BzImage.Parse(new byte[4096]));
        Assert.Contains("not a Linux bzImage", text.Message);
        var tiny = Assert.Throws<BootImageException>(() => BzImage.Parse(new byte[100]));
        Assert.Contains("too short", tiny.Message);
        byte[] noFlag = SyntheticKernels.BzImage();
        noFlag[0x1FE] = 0;
        Assert.Contains("boot flag", Assert.Throws<BootImageException>(() => BzImage.Parse(noFlag)).Message);
    }

    [Fact]
    public void ATruncatedImageIsRefused()
    {
        byte[] file = SyntheticKernels.BzImage();
        byte[] truncated = file.AsSpan(0, 5 * 512).ToArray(); // setup sectors, no protected-mode code
        var e = Assert.Throws<BootImageException>(() => BzImage.Parse(truncated));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AnImplausibleHeaderLengthIsRefused()
    {
        byte[] file = SyntheticKernels.BzImage();
        file[0x201] = 0x10; // header would end before init_size
        Assert.Contains("header length", Assert.Throws<BootImageException>(() => BzImage.Parse(file)).Message);
    }
}
