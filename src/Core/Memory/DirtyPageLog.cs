using System.Numerics;
using System.Runtime.CompilerServices;

namespace Emu.Core.Memory;

/// <summary>
/// Which pages of guest RAM were written since they were last collected: one
/// bit per 4 KiB page of each RAM range, set by everything that writes guest
/// RAM while logging is on (the software CPU when it grants itself write
/// access to a page, device DMA through <see cref="GuestMemory"/> after it
/// wrote, the accelerator's own log pulled in by <see cref="Merge"/>), and
/// taken away by the migration thread a round at a time with
/// <see cref="Harvest"/>. Marking is a volatile check when logging is off and
/// one atomic OR per 64 pages when on; it never allocates.
/// </summary>
public sealed class DirtyPageLog
{
    private const int PageShift = 12;

    private volatile Range[] _ranges = Array.Empty<Range>();
    private volatile bool _active;

    private sealed class Range
    {
        public Range(ulong start, ulong size)
        {
            Start = start;
            Pages = size >> PageShift;
            Bits = new ulong[(Pages + 63) / 64];
        }

        public ulong Start { get; }

        public ulong Pages { get; }

        public ulong[] Bits { get; }
    }

    /// <summary>Whether writes are being logged.</summary>
    public bool Active => _active;

    /// <summary>The ranges being logged, in address order.</summary>
    public IReadOnlyList<(ulong Start, ulong Size)> Ranges => _ranges.Select(r => (r.Start, r.Pages << PageShift)).ToArray();

    /// <summary>Starts logging writes to the given guest RAM ranges (page aligned), with no page dirty yet.</summary>
    public void Start(IEnumerable<(ulong Start, ulong Size)> ranges)
    {
        var list = new List<Range>();
        foreach ((ulong start, ulong size) in ranges.OrderBy(r => r.Start))
        {
            if ((start & 0xFFF) != 0 || (size & 0xFFF) != 0 || size == 0)
                throw new ArgumentException($"RAM range 0x{start:x}+0x{size:x} is not page aligned");
            list.Add(new Range(start, size));
        }
        _ranges = list.ToArray();
        _active = true;
    }

    /// <summary>Stops logging; the bitmaps are dropped.</summary>
    public void Stop()
    {
        _active = false;
        _ranges = Array.Empty<Range>();
    }

    /// <summary>Marks the pages of [<paramref name="address"/>, +<paramref name="length"/>) dirty (the part that is logged RAM).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkDirty(ulong address, ulong length)
    {
        if (!_active || length == 0)
            return;
        MarkLogged(address, length);
    }

    private void MarkLogged(ulong address, ulong length)
    {
        ulong last = address + length - 1;
        if (last < address)
            last = ulong.MaxValue;
        foreach (Range r in _ranges)
        {
            ulong end = r.Start + (r.Pages << PageShift) - 1;
            if (last < r.Start || address > end)
                continue;
            ulong first = (Math.Max(address, r.Start) - r.Start) >> PageShift;
            ulong final = (Math.Min(last, end) - r.Start) >> PageShift;
            SetBits(r.Bits, first, final);
        }
    }

    private static void SetBits(ulong[] bits, ulong first, ulong last)
    {
        for (ulong word = first / 64; word <= last / 64; word++)
        {
            ulong low = word == first / 64 ? first % 64 : 0;
            ulong high = word == last / 64 ? last % 64 : 63;
            ulong mask = high == 63 ? ~0UL << (int)low : ((1UL << (int)(high + 1)) - 1) & (~0UL << (int)low);
            if ((Volatile.Read(ref bits[word]) & mask) != mask)
                Interlocked.Or(ref bits[word], mask);
        }
    }

    /// <summary>Marks every logged page dirty (the first round sends all of RAM).</summary>
    public void MarkAll()
    {
        foreach (Range r in _ranges)
            SetBits(r.Bits, 0, r.Pages - 1);
    }

    /// <summary>
    /// ORs a bitmap the accelerator kept (KVM's dirty log of a memory slot,
    /// one bit per page from <paramref name="start"/>) into the log.
    /// </summary>
    public void Merge(ulong start, ReadOnlySpan<ulong> bitmap)
    {
        if (!_active)
            return;
        for (int word = 0; word < bitmap.Length; word++)
        {
            ulong bits = bitmap[word];
            while (bits != 0)
            {
                int bit = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                MarkLogged(start + (((ulong)word * 64 + (ulong)bit) << PageShift), 1);
            }
        }
    }

    /// <summary>Pages currently marked dirty.</summary>
    public long CountDirty()
    {
        long count = 0;
        foreach (Range r in _ranges)
        {
            foreach (ulong word in r.Bits)
                count += BitOperations.PopCount(word);
        }
        return count;
    }

    /// <summary>
    /// Takes the dirty bits and clears them atomically, word by word: a page
    /// written after its word was taken is marked again and collected in the
    /// next round. Returns the pages taken, as (range start, bitmap) pairs.
    /// </summary>
    public IReadOnlyList<(ulong Start, ulong[] Bits)> Harvest()
    {
        var taken = new List<(ulong, ulong[])>();
        foreach (Range r in _ranges)
        {
            var copy = new ulong[r.Bits.Length];
            for (int i = 0; i < copy.Length; i++)
                copy[i] = Interlocked.Exchange(ref r.Bits[i], 0);
            taken.Add((r.Start, copy));
        }
        return taken;
    }
}
