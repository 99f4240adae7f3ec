using System.Buffers.Binary;
using Emu.Core.Boot;

namespace Emu.Core.Tests.Boot;

// The Multiboot header and its load addresses (specification 0.6.96, 3.1), checked against the file.
public sealed class MultibootKernelTests
{
    // A flat image: the header at `at`, with flag 16's address fields.
    private static byte[] Image(int length, int at, uint flags, uint headerAddress, uint load, uint loadEnd, uint bssEnd, uint entry, uint? checksum = null)
    {
        byte[] image = new byte[length];
        Span<byte> h = image.AsSpan(at);
        BinaryPrimitives.WriteUInt32LittleEndian(h, MultibootKernel.HeaderMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], checksum ?? unchecked(0u - MultibootKernel.HeaderMagic - flags));
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], headerAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], load);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], loadEnd);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], bssEnd);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], entry);
        return image;
    }

    [Fact]
    public void The_address_fields_place_the_image_and_its_bss()
    {
        // Header 0x40 bytes into the file, which loads at 0x200000: the header is at 0x200040.
        byte[] image = Image(0x1000, 0x40, 0x10003, 0x20_0040, 0x20_0000, 0, 0x20_3000, 0x20_0080);
        MultibootKernel kernel = MultibootKernel.Parse(BootFile.FromBytes(image));
        ElfSegment segment = Assert.Single(kernel.Segments);
        Assert.Equal(0x20_0000UL, segment.PhysicalAddress);
        Assert.Equal(0UL, segment.FileOffset);
        Assert.Equal(0x1000UL, segment.FileSize);
        Assert.Equal(0x3000UL, segment.MemorySize);
        Assert.Equal(0x20_0080u, kernel.Entry);
        Assert.True(kernel.PageAlignModules);
    }

    [Theory]
    [InlineData(0x10003u, 0x20_0040u, 0x20_0000u, 0u, 0u, 0x30_0000u, "entry point 0x300000 is not inside")]
    [InlineData(0x10003u, 0x10_0000u, 0x20_0000u, 0u, 0u, 0x20_0000u, "is inconsistent with load address")]
    [InlineData(0x10003u, 0x20_0040u, 0x20_0000u, 0x30_0000u, 0u, 0x20_0080u, "load range lies outside the file")]
    [InlineData(0x10003u, 0x20_0040u, 0x20_0000u, 0u, 0x20_0010u, 0x20_0080u, "bss end 0x200010 is below")]
    [InlineData(0x10007u, 0x20_0040u, 0x20_0000u, 0u, 0u, 0x20_0080u, "needs a graphics mode")]
    [InlineData(0x10103u, 0x20_0040u, 0x20_0000u, 0u, 0u, 0x20_0080u, "requires features this loader does not know (header flags 0x103)")]
    [InlineData(0x00003u, 0x20_0040u, 0x20_0000u, 0u, 0u, 0x20_0080u, "must be an ELF file")]
    public void A_header_that_does_not_add_up_is_refused(uint flags, uint headerAddress, uint load, uint loadEnd, uint bssEnd, uint entry, string expected)
    {
        byte[] image = Image(0x1000, 0x40, flags, headerAddress, load, loadEnd, bssEnd, entry);
        var e = Assert.Throws<BootImageException>(() => MultibootKernel.Parse(BootFile.FromBytes(image)));
        Assert.Contains(expected, e.Message);
        Assert.Equal(BootInput.Kernel, e.Input);
    }

    [Fact]
    public void A_header_needs_its_checksum_and_the_first_8_KiB()
    {
        Assert.False(MultibootKernel.HasHeader(BootFile.FromBytes(Image(0x1000, 0x40, 0x10003, 0, 0, 0, 0, 0, checksum: 0))));
        Assert.False(MultibootKernel.HasHeader(BootFile.FromBytes(Image(0x4000, 0x2000, 0x10003, 0, 0, 0, 0, 0))));
        Assert.True(MultibootKernel.HasHeader(BootFile.FromBytes(Image(0x4000, 0x1FF0, 0x10003, 0, 0, 0, 0, 0))));
    }
}
