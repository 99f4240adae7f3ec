using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

public sealed class VfioBarLayoutTests
{
    [Fact]
    public void The_pages_of_the_table_and_PBA_are_cut_out_of_a_fully_mappable_BAR()
    {
        var areas = VfioBarLayout.MappableAreas(new[] { new VfioArea(0, 0x10000) }, new[] { new VfioArea(0x3000, 0x100), new VfioArea(0x8800, 8) });
        Assert.Equal(new[] { new VfioArea(0, 0x3000), new VfioArea(0x4000, 0x4000), new VfioArea(0x9000, 0x7000) }, areas);
    }

    [Fact]
    public void A_table_spanning_pages_takes_every_page_it_touches()
    {
        var areas = VfioBarLayout.MappableAreas(new[] { new VfioArea(0, 0x8000) }, new[] { new VfioArea(0x1FF0, 0x20) });
        Assert.Equal(new[] { new VfioArea(0, 0x1000), new VfioArea(0x3000, 0x5000) }, areas);
    }

    [Fact]
    public void Areas_smaller_than_a_page_or_unaligned_are_trimmed_to_whole_pages()
    {
        var areas = VfioBarLayout.MappableAreas(new[] { new VfioArea(0, 0x800), new VfioArea(0x1800, 0x2000) }, Array.Empty<VfioArea>());
        Assert.Equal(new[] { new VfioArea(0x2000, 0x1000) }, areas);
    }
}
