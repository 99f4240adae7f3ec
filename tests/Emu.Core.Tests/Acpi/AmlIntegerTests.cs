using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>Integer constants take the shortest encoding (ACPI 6.3, 20.2.3).</summary>
public class AmlIntegerTests
{
    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })] // ZeroOp
    [InlineData(1UL, new byte[] { 0x01 })] // OneOp
    [InlineData(2UL, new byte[] { 0x0A, 0x02 })]
    [InlineData(0xFFUL, new byte[] { 0x0A, 0xFF })]
    [InlineData(0x100UL, new byte[] { 0x0B, 0x00, 0x01 })]
    [InlineData(0xFFFFUL, new byte[] { 0x0B, 0xFF, 0xFF })]
    [InlineData(0x10000UL, new byte[] { 0x0C, 0x00, 0x00, 0x01, 0x00 })]
    [InlineData(0xFFFF_FFFFUL, new byte[] { 0x0C, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(0x1_0000_0000UL, new byte[] { 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 })]
    [InlineData(0xFFFF_FFFF_FFFF_FFFEUL, new byte[] { 0x0E, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    [InlineData(ulong.MaxValue, new byte[] { 0xFF })] // OnesOp
    public void PicksTheShortestEncoding(ulong value, byte[] expected)
    {
        Assert.Equal(expected, Aml.Integer(value).ToArray());
    }

    [Fact]
    public void ConvertsNonNegativeIntegersImplicitly()
    {
        AmlNode node = 0x1234;
        Assert.Equal(new byte[] { 0x0B, 0x34, 0x12 }, node.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => { AmlNode _ = -1; });
    }

    [Fact]
    public void ConstantsAreTheirOpcodes()
    {
        Assert.Equal(new byte[] { 0x00 }, Aml.Zero.ToArray());
        Assert.Equal(new byte[] { 0x01 }, Aml.One.ToArray());
        Assert.Equal(new byte[] { 0xFF }, Aml.Ones.ToArray());
    }

    [Fact]
    public void StringsAreNulTerminatedAscii()
    {
        Assert.Equal(new byte[] { 0x0D, (byte)'A', (byte)'B', 0x00 }, Aml.String("AB").ToArray());
        Assert.Equal(new byte[] { 0x0D, 0x00 }, Aml.String("").ToArray());
        Assert.Throws<ArgumentException>(() => Aml.String("\u00E9"));
        Assert.Throws<ArgumentException>(() => Aml.String("a\0b"));
    }
}
