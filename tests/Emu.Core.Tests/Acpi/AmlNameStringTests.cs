using System.Text;
using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

/// <summary>NameString encoding (ACPI 6.3, 20.2.2): prefixes, then NullName, a NameSeg, DualNamePath or MultiNamePath.</summary>
public class AmlNameStringTests
{
    [Theory]
    [InlineData("_S5", "_S5_")] // short segments are padded with '_'
    [InlineData("PCI0", "PCI0")]
    [InlineData("\\_SB", "\\_SB_")]
    [InlineData("^FOO", "^FOO_")]
    [InlineData("^^C001", "^^C001")]
    public void EncodesSingleSegments(string path, string expected)
    {
        Assert.Equal(Encoding.ASCII.GetBytes(expected), new AmlNameString(path).ToArray());
    }

    [Fact]
    public void TwoSegmentsUseTheDualNamePrefix()
    {
        byte[] expected = [0x5C, 0x2E, .. "_SB_PCI0"u8];
        Assert.Equal(expected, new AmlNameString("\\_SB.PCI0").ToArray());
    }

    [Fact]
    public void ThreeOrMoreSegmentsUseTheMultiNamePrefixAndACount()
    {
        byte[] expected = [0x5C, 0x2F, 0x03, .. "_SB_PCI0MBRS"u8];
        Assert.Equal(expected, new AmlNameString("\\_SB.PCI0.MBRS").ToArray());
        byte[] relative = [0x5E, 0x2F, 0x04, .. "AAAABBBBCCCCDDDD"u8];
        Assert.Equal(relative, new AmlNameString("^AAAA.BBBB.CCCC.DDDD").ToArray());
    }

    [Fact]
    public void TheRootAloneIsFollowedByNullName()
    {
        Assert.Equal(new byte[] { 0x5C, 0x00 }, new AmlNameString("\\").ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ABC")] // digits may not lead
    [InlineData("pci0")] // AML names are upper case
    [InlineData("ABCDE")]
    [InlineData("\\_SB..PCI0")]
    [InlineData("A-B")]
    public void RejectsInvalidNames(string path)
    {
        Assert.Throws<ArgumentException>(() => new AmlNameString(path));
    }

    [Fact]
    public void ExposesTheParsedPath()
    {
        var name = new AmlNameString("^^AB.CD");
        Assert.False(name.IsRooted);
        Assert.Equal(2, name.ParentPrefixes);
        Assert.Equal(["AB__", "CD__"], name.Segments);
    }
}
