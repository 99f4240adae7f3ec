using Emu.Core.Memory;

namespace Emu.Core.Tests.Migration;

// The dirty page log: marks land on the right pages of the right range,
// harvesting takes and clears them, and marking while off costs nothing.
public sealed unsafe class DirtyPageLogTests
{
    private static DirtyPageLog Started()
    {
        var log = new DirtyPageLog();
        log.Start([(0x100000UL, 0x40000UL), (0UL, 0x10000UL)]);
        return log;
    }

    private static IEnumerable<ulong> Pages(DirtyPageLog log) =>
        log.Harvest().SelectMany(r => Enumerable.Range(0, r.Bits.Length * 64)
            .Where(i => (r.Bits[i / 64] & (1UL << (i % 64))) != 0)
            .Select(i => r.Start + ((ulong)i << 12)));

    [Fact]
    public void Marks_cover_every_page_a_write_touched_and_no_other()
    {
        DirtyPageLog log = Started();
        log.MarkDirty(0x0FFF, 2);          // straddles pages 0 and 1 of the low range
        log.MarkDirty(0x13F000, 0x2000);   // the last page of the high range, and past its end
        log.MarkDirty(0x50000, 8);         // between the ranges: not logged RAM
        Assert.Equal(3, log.CountDirty());
        Assert.Equal(new ulong[] { 0x0, 0x1000, 0x13F000 }, Pages(log).Order());
        Assert.Equal(0, log.CountDirty());
        Assert.Empty(Pages(log));
    }

    [Fact]
    public void Mark_all_and_accelerator_bitmaps_merge_in()
    {
        DirtyPageLog log = Started();
        log.MarkAll();
        Assert.Equal((0x40000 + 0x10000) / 4096, log.CountDirty());
        log.Harvest();
        log.Merge(0x100000, [0b1010UL | (1UL << 63), 1UL]); // page 64 is past the range's 64 pages
        Assert.Equal(new ulong[] { 0x101000, 0x103000, 0x100000 + (63UL << 12) }, Pages(log).Order());
    }

    [Fact]
    public void Nothing_is_logged_while_stopped()
    {
        var log = new DirtyPageLog();
        log.MarkDirty(0, 0x1000);
        Assert.False(log.Active);
        DirtyPageLog started = Started();
        started.Stop();
        started.MarkDirty(0, 0x1000);
        Assert.Equal(0, started.CountDirty());
    }

    [Fact]
    public void Guest_memory_marks_after_typed_writes_only_when_logging()
    {
        using var ram = new StreamTestRam();
        GuestMemory memory = ram.Memory;
        memory.Write(new GuestAddress(0x5000), 1UL);
        Assert.Equal(0, memory.DirtyLog.CountDirty());
        memory.DirtyLog.Start(memory.Ranges.Select(r => (r.Start.Value, r.Size)));
        memory.Write(new GuestAddress(0x5000), 2UL);
        memory.WriteBytes(new GuestAddress(0x100FF0), new byte[0x20]); // two pages
        Assert.True(memory.TryGetSpan(new GuestAddress(0x7000), 16, out Span<byte> span));
        span.Fill(1); // spans are not marked: the writer marks after writing
        Assert.Equal(3, memory.DirtyLog.CountDirty());
        memory.MarkDirtyHost((nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref span[0]), 16);
        Assert.Equal(4, memory.DirtyLog.CountDirty());
    }

    [Fact]
    public void Marking_allocates_nothing()
    {
        DirtyPageLog log = Started();
        log.MarkDirty(0x1000, 8);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
            log.MarkDirty((ulong)(i % 16) << 12, 8);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
