using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>EISAID compression (ACPI 6.3, 19.6.35).</summary>
public class EisaIdTests
{
    [Theory]
    // PNP0A03 = 0x030AD041 is the value the spec's own _HID examples and every PC DSDT carry.
    [InlineData("PNP0A03", 0x030AD041u)]
    [InlineData("PNP0A08", 0x080AD041u)]
    [InlineData("PNP0501", 0x0105D041u)]
    [InlineData("PNP0B00", 0x000BD041u)]
    [InlineData("PNP0C02", 0x020CD041u)]
    public void CompressesPnpIds(string id, uint expected)
    {
        Assert.Equal(expected, EisaId.Encode(id));
    }

    [Fact]
    public void PacksEachLetterInFiveBits()
    {
        // "ABC0000": letters 1, 2, 3 -> byte0 = 1 << 2 | 2 >> 3 = 0x04, byte1 = (2 & 7) << 5 | 3 = 0x43.
        Assert.Equal(0x0000_4304u, EisaId.Encode("ABC0000"));
        // "ZZZFFFF": 26 = 0b11010 -> byte0 = 0x68 | 0x03, byte1 = 0x40 | 0x1A, digits FF FF.
        Assert.Equal(0xFFFF_5A6Bu, EisaId.Encode("ZZZFFFF"));
    }

    [Theory]
    [InlineData("PNP0A0")]
    [InlineData("PNP0A080")]
    [InlineData("pnp0A08")]
    [InlineData("PNP0a08")]
    [InlineData("P1P0A08")]
    [InlineData("PNP0G08")]
    public void RejectsMalformedIds(string id)
    {
        Assert.Throws<ArgumentException>(() => EisaId.Encode(id));
    }

    [Fact]
    public void AmlEisaIdIsADWordConstant()
    {
        Assert.Equal(new byte[] { 0x0C, 0x41, 0xD0, 0x0A, 0x08 }, Aml.EisaId("PNP0A08").ToArray());
    }
}
