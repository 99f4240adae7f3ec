using Emu.Core.Acpi;

namespace Emu.Core.Tests.Acpi;

public class PciIntxRoutingTests
{
    [Fact]
    public void SlotZeroPinAIsTheFirstPciGsi()
    {
        Assert.Equal(16, PciIntxRouting.Gsi(0, 1));
    }

    [Fact]
    public void EveryPinLandsOnGsis16To23()
    {
        for (int slot = 0; slot < 32; slot++)
        {
            for (int pin = 1; pin <= 4; pin++)
                Assert.InRange(PciIntxRouting.Gsi(slot, pin), 16, 23);
        }
    }

    [Fact]
    public void ASlotsFourPinsUseFourDifferentLines()
    {
        for (int slot = 0; slot < 32; slot++)
        {
            var lines = Enumerable.Range(1, 4).Select(pin => PciIntxRouting.Gsi(slot, pin)).ToHashSet();
            Assert.Equal(4, lines.Count);
        }
    }

    [Fact]
    public void IntaOfEightConsecutiveSlotsUsesAllEightLines()
    {
        var lines = Enumerable.Range(8, 8).Select(slot => PciIntxRouting.Gsi(slot, 1)).ToHashSet();
        Assert.Equal(8, lines.Count);
    }

    [Fact]
    public void TheLoadIsSpreadEvenly()
    {
        var perLine = new int[24];
        for (int slot = 0; slot < 32; slot++)
        {
            for (int pin = 1; pin <= 4; pin++)
                perLine[PciIntxRouting.Gsi(slot, pin)]++;
        }
        Assert.All(perLine[16..24], count => Assert.Equal(16, count));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(32, 1)]
    [InlineData(0, 0)]
    [InlineData(0, 5)]
    public void RejectsSlotsAndPinsThatDoNotExist(int slot, int pin)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PciIntxRouting.Gsi(slot, pin));
    }
}
