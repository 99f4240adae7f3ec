namespace Emu.Devices.Vfio;

/// <summary>
/// Which parts of a BAR are mmapped into the guest. The kernel says which
/// areas may be mapped (the whole region, or its sparse mmap areas); of those,
/// the pages holding the MSI-X table and PBA are left out, because the VMM must
/// see the guest's writes to the table to route interrupts (PCI Local Bus 3.0,
/// 6.8.2: the table and PBA may share pages with other registers, so whole
/// pages are trapped). What is not mapped is trapped and forwarded with pread/pwrite.
/// </summary>
internal static class VfioBarLayout
{
    public const ulong PageSize = 4096;

    /// <summary>The page-aligned areas to mmap: <paramref name="allowed"/> minus the pages of <paramref name="trapped"/>.</summary>
    public static List<VfioArea> MappableAreas(IReadOnlyList<VfioArea> allowed, IReadOnlyList<VfioArea> trapped)
    {
        var result = new List<VfioArea>();
        foreach (VfioArea a in allowed)
        {
            // mmap works on whole pages: shrink each allowed area to the pages it fully covers.
            ulong start = AlignUp(a.Offset), end = AlignDown(a.End);
            if (end <= start)
                continue;
            var pieces = new List<VfioArea> { new(start, end - start) };
            foreach (VfioArea t in trapped)
            {
                if (t.Size == 0)
                    continue;
                var hole = new VfioArea(AlignDown(t.Offset), AlignUp(t.End) - AlignDown(t.Offset));
                var next = new List<VfioArea>();
                foreach (VfioArea p in pieces)
                {
                    if (!p.Overlaps(hole))
                    {
                        next.Add(p);
                        continue;
                    }
                    if (p.Offset < hole.Offset)
                        next.Add(new VfioArea(p.Offset, hole.Offset - p.Offset));
                    if (hole.End < p.End)
                        next.Add(new VfioArea(hole.End, p.End - hole.End));
                }
                pieces = next;
            }
            result.AddRange(pieces);
        }
        result.Sort((x, y) => x.Offset.CompareTo(y.Offset));
        return result;
    }

    private static ulong AlignUp(ulong value) => (value + PageSize - 1) & ~(PageSize - 1);

    private static ulong AlignDown(ulong value) => value & ~(PageSize - 1);
}
