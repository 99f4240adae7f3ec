using Emu.Core.Objects;

namespace Emu.Core.Tests.Objects;

public sealed class PropertyTests
{
    [Theory]
    [InlineData("on", true)]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("off", false)]
    [InlineData("no", false)]
    public void BooleansAcceptQemuSpellings(string text, bool expected) =>
        Assert.Equal(expected, SampleObject.Flag.ParseValue(text));

    [Fact]
    public void BooleanRejectsOtherText() =>
        Assert.Contains("'on' or 'off'", Assert.Throws<PropertyValueException>(() => SampleObject.Flag.ParseValue("maybe")).Message);

    [Theory]
    [InlineData("10", 10)]
    [InlineData("0x10", 16)]
    [InlineData("010", 8)]
    [InlineData("65535", 65535)]
    public void IntegersAcceptDecimalHexAndOctal(string text, long expected) =>
        Assert.Equal(expected, SampleObject.Count.ParseValue(text));

    [Theory]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("")]
    public void IntegersOutsideTheirRangeOrMalformedAreRefused(string text) =>
        Assert.Throws<PropertyValueException>(() => SampleObject.Count.ParseValue(text));

    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("64K", 65536UL)]
    [InlineData("2M", 2UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("1.5G", 3UL << 29)]
    [InlineData("0x1000", 4096UL)]
    public void SizesAcceptSuffixes(string text, ulong expected) =>
        Assert.Equal(expected, SampleObject.Bytes.ParseValue(text));

    [Theory]
    [InlineData("1X")]
    [InlineData("-1M")]
    [InlineData("0.5")]
    [InlineData("99999999999E")]
    public void MalformedSizesAreRefused(string text) =>
        Assert.Throws<PropertyValueException>(() => SampleObject.Bytes.ParseValue(text));

    [Fact]
    public void EnumsListTheirValuesWhenWrong() =>
        Assert.Contains("fast, safe", Assert.Throws<PropertyValueException>(() => SampleObject.Mode.ParseValue("slow")).Message);
}
