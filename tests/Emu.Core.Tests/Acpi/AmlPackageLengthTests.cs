using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>PkgLength (ACPI 6.3, 20.2.4): the value counts its own bytes; 1 byte up to 63, then 2, 3, 4 bytes.</summary>
public class AmlPackageLengthTests
{
    [Theory]
    // body, expected encoding (value = body + encoding size)
    [InlineData(0, new byte[] { 0x01 })]
    [InlineData(62, new byte[] { 0x3F })] // largest one-byte value, 63
    [InlineData(63, new byte[] { 0x41, 0x04 })] // 65 = 0x041: lead 0b01_00_0001, then 0x04
    [InlineData(4093, new byte[] { 0x4F, 0xFF })] // 4095 = 0xFFF, largest two-byte value
    [InlineData(4094, new byte[] { 0x81, 0x00, 0x01 })] // 4097 = 0x1001
    [InlineData(0xFFFFC, new byte[] { 0x8F, 0xFF, 0xFF })] // 0xFFFFF, largest three-byte value
    [InlineData(0xFFFFD, new byte[] { 0xC1, 0x00, 0x00, 0x01 })] // 0x100001
    [InlineData(AmlPackageLength.MaxValue - 4, new byte[] { 0xCF, 0xFF, 0xFF, 0xFF })]
    public void EncodesAtTheBoundaries(int body, byte[] expected)
    {
        var writer = new AmlWriter();
        AmlPackageLength.Write(writer, body);
        Assert.Equal(expected, writer.ToArray());
        Assert.Equal(expected.Length, AmlPackageLength.EncodedSize(body));
    }

    [Fact]
    public void RejectsLengthsBeyondTwentyEightBits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AmlPackageLength.EncodedSize(AmlPackageLength.MaxValue - 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => AmlPackageLength.EncodedSize(-1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(61)]
    [InlineData(200)]
    [InlineData(5000)]
    [InlineData(1_500_000)]
    public void DecodesBackToTheTotalLength(int body)
    {
        var writer = new AmlWriter();
        AmlPackageLength.Write(writer, body);
        byte[] bytes = writer.ToArray();
        Assert.Equal(body + bytes.Length, Decode(bytes));
    }

    [Fact]
    public void PackageTermLengthCoversEverythingAfterTheOpcode()
    {
        // A Scope whose body is 100 bytes of Zero: opcode, 2-byte PkgLength, name, terms.
        var body = Enumerable.Repeat<AmlNode>(Aml.Zero, 96).ToArray();
        byte[] scope = Aml.Scope("ABCD", body).ToArray();
        Assert.Equal(0x10, scope[0]);
        Assert.Equal(scope.Length - 1, Decode(scope.AsSpan(1)));
    }

    // An independent reading of the spec's decoding rule, used to check the encoder.
    private static int Decode(ReadOnlySpan<byte> bytes)
    {
        int follow = bytes[0] >> 6;
        if (follow == 0)
            return bytes[0] & 0x3F;
        int value = bytes[0] & 0x0F;
        for (int i = 1; i <= follow; i++)
            value |= bytes[i] << (4 + 8 * (i - 1));
        return value;
    }
}
