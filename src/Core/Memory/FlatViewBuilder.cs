namespace Emu.Core.Memory;

/// <summary>
/// Flattens a region tree into disjoint ranges. Regions are visited from the
/// highest priority down, and each one only fills the parts of its window that
/// nothing visited before it covers; so overlaps resolve by priority and holes
/// in a container show what lies below it.
/// </summary>
internal sealed class FlatViewBuilder
{
    // Addresses are kept as UInt128 so a region ending exactly at 2^64, or an
    // alias shifting a target below zero, never wraps.
    private static readonly UInt128 s_top = (UInt128)ulong.MaxValue + 1;
    private readonly List<FlatRange> _ranges = new();

    public static FlatView Render(MemoryRegion root)
    {
        var builder = new FlatViewBuilder();
        builder.Visit(root, 0, 0, s_top, depth: 0);
        return new FlatView(builder._ranges.ToArray());
    }

    /// <param name="region">The region to render.</param>
    /// <param name="start">Absolute address of the region's first byte (may be "negative" for shifted alias targets, hence signed).</param>
    /// <param name="clipStart">Absolute window the region may fill, inclusive.</param>
    /// <param name="clipEnd">Absolute window end, exclusive.</param>
    private void Visit(MemoryRegion region, Int128 start, UInt128 clipStart, UInt128 clipEnd, int depth)
    {
        if (!region.Enabled)
            return;
        if (depth > 64)
            throw new InvalidOperationException($"memory region tree too deep at '{region.Name}' (alias loop?)");
        Int128 end = start + region.Size;
        Int128 lo = Int128.Max(start, (Int128)clipStart);
        Int128 hi = Int128.Min(end, (Int128)clipEnd);
        if (lo >= hi)
            return;
        switch (region.Kind)
        {
            case MemoryRegionKind.Container:
                foreach (MemoryRegion child in region.Subregions)
                    Visit(child, start + child.Address, (UInt128)lo, (UInt128)hi, depth + 1);
                break;
            case MemoryRegionKind.Alias:
                Visit(region.AliasTarget!, start - region.AliasOffset, (UInt128)lo, (UInt128)hi, depth + 1);
                break;
            default:
                Fill((UInt128)lo, (UInt128)hi, region, (ulong)(lo - start));
                break;
        }
    }

    /// <summary>Adds the parts of [lo, hi) not yet covered, showing <paramref name="region"/>.</summary>
    private void Fill(UInt128 lo, UInt128 hi, MemoryRegion region, ulong offsetAtLo)
    {
        int i = FirstEndingAfter(lo);
        UInt128 cursor = lo;
        while (cursor < hi)
        {
            UInt128 nextStart = i < _ranges.Count ? _ranges[i].Start : s_top;
            if (nextStart > cursor)
            {
                UInt128 pieceEnd = UInt128.Min(nextStart, hi);
                var piece = new FlatRange((ulong)cursor, (ulong)(pieceEnd - cursor), region, offsetAtLo + (ulong)(cursor - lo));
                _ranges.Insert(i, piece);
                i++;
                cursor = pieceEnd;
            }
            else
            {
                // Covered by an earlier (higher-priority) range: skip past it.
                cursor = UInt128.Max(cursor, (UInt128)_ranges[i].Start + _ranges[i].Size);
                i++;
            }
        }
    }

    private int FirstEndingAfter(UInt128 address)
    {
        int lo = 0, hi = _ranges.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if ((UInt128)_ranges[mid].Start + _ranges[mid].Size <= address)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
