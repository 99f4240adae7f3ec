namespace Emu.Core.Posix;

/// <summary>
/// Which pages of this process's private anonymous memory the kernel has never
/// populated, from <c>/proc/self/pagemap</c> (Documentation/admin-guide/mm/pagemap.rst):
/// one 64-bit entry per virtual page, bit 63 "present in RAM", bit 62 "swapped"
/// (any non-present page table entry that is not empty: swap, migration, a
/// marker). A page of a private anonymous mapping with neither bit has no page
/// table entry at all: it has never been read or written, or was dropped with
/// MADV_DONTNEED, and reads as zeroes. (Not so for shared memory or a file: a
/// page missing from this process's page tables may be in the page cache.)
///
/// Both bits are readable without privileges (only the page frame numbers are
/// hidden). Migration uses this to send and receive guest RAM the guest never
/// touched without reading it: a read would map the zero page, and a 2 MiB
/// region first read and then written is split from a huge page into 4 KiB ones.
/// Thread-safe (pread); allocates nothing after it is opened.
/// </summary>
public static unsafe class PageMap
{
    private const ulong Present = 1UL << 63;
    private const ulong Swapped = 1UL << 62;
    private const int PageShift = 12;

    private static readonly Lazy<FileDescriptor?> File = new(OpenPageMap);

    /// <summary>Whether this kernel has /proc/self/pagemap open to this process.</summary>
    public static bool Available => File.Value != null;

    /// <summary>
    /// Sets <c>unpopulated[i]</c> for page <c>i</c> of the <c>unpopulated.Length</c>
    /// 4 KiB pages from host address <paramref name="start"/> (page aligned): true
    /// when the page has no page table entry (never populated), false otherwise.
    /// Returns false (and sets nothing) when the pagemap cannot be read; the caller
    /// then reads the pages. At most 512 pages per call.
    /// </summary>
    public static bool TryFindUnpopulated(nint start, Span<bool> unpopulated)
    {
        if ((start & 0xFFF) != 0)
            throw new ArgumentException("the pagemap is read for whole pages", nameof(start));
        if (unpopulated.Length > 512)
            throw new ArgumentOutOfRangeException(nameof(unpopulated), "at most 512 pages at a time");
        FileDescriptor? file = File.Value;
        if (file == null || unpopulated.IsEmpty)
            return false;
        Span<ulong> entries = stackalloc ulong[unpopulated.Length];
        long offset = (long)((ulong)start >> PageShift) * sizeof(ulong);
        fixed (ulong* buffer = entries)
        {
            if (FileIo.Transfer(file, FileIo.PositionalRead, (byte*)buffer, entries.Length * sizeof(ulong), offset, out _) != FileIo.Complete)
                return false;
        }
        for (int i = 0; i < entries.Length; i++)
            unpopulated[i] = (entries[i] & (Present | Swapped)) == 0;
        return true;
    }

    private static FileDescriptor? OpenPageMap()
    {
        int fd = LibC.open("/proc/self/pagemap", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        return fd < 0 ? null : new FileDescriptor(fd);
    }
}
