namespace Emu.Core.Memory;

/// <summary>
/// An immutable, sorted list of disjoint <see cref="FlatRange"/>s: what an
/// address space looks like at one moment. vCPU threads look addresses up in
/// the current view without locks; a change builds a new view and swaps it in.
/// </summary>
public sealed class FlatView
{
    private readonly FlatRange[] _ranges;
    private readonly ulong[] _starts;

    public static FlatView Empty { get; } = new(Array.Empty<FlatRange>());

    internal FlatView(FlatRange[] ranges)
    {
        _ranges = ranges;
        _starts = new ulong[ranges.Length];
        for (int i = 0; i < ranges.Length; i++)
            _starts[i] = ranges[i].Start;
    }

    public ReadOnlySpan<FlatRange> Ranges => _ranges;

    public int Count => _ranges.Length;

    /// <summary>Index of the range containing <paramref name="address"/>, or -1 for a hole.</summary>
    public int IndexOf(ulong address)
    {
        ulong[] starts = _starts;
        int lo = 0, hi = starts.Length - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (starts[mid] <= address)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        // hi is the last range starting at or below address.
        if (hi < 0)
            return -1;
        return address - starts[hi] < _ranges[hi].Size ? hi : -1;
    }

    /// <summary>
    /// The range containing <paramref name="address"/> (true, its index), or for
    /// a hole the index of the first range above it (false; Count when none).
    /// </summary>
    public bool Locate(ulong address, out int index)
    {
        ulong[] starts = _starts;
        int lo = 0, hi = starts.Length - 1;
        while (lo <= hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (starts[mid] <= address)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        if (hi >= 0 && address - starts[hi] < _ranges[hi].Size)
        {
            index = hi;
            return true;
        }
        index = hi + 1;
        return false;
    }

    /// <summary>Start of the first range above <paramref name="address"/>, or <see cref="ulong.MaxValue"/>.</summary>
    public ulong NextStartAbove(ulong address)
    {
        ulong[] starts = _starts;
        int lo = 0, hi = starts.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (starts[mid] <= address)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < starts.Length ? starts[lo] : ulong.MaxValue;
    }

    public ref readonly FlatRange this[int index] => ref _ranges[index];

    public bool TryFind(ulong address, out FlatRange range)
    {
        int i = IndexOf(address);
        if (i < 0)
        {
            range = default;
            return false;
        }
        range = _ranges[i];
        return true;
    }

    /// <summary>
    /// Differences from <paramref name="old"/> to this view: ranges that
    /// disappeared and ranges that appeared (a changed range is both).
    /// </summary>
    public void Diff(FlatView old, List<FlatRange> removed, List<FlatRange> added)
    {
        FlatRange[] a = old._ranges, b = _ranges;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j])
            {
                i++;
                j++;
            }
            else if (j >= b.Length || (i < a.Length && a[i].Start <= b[j].Start))
            {
                removed.Add(a[i++]);
            }
            else
            {
                added.Add(b[j++]);
            }
        }
    }
}
