namespace Emu.Core.Posix;

/// <summary>
/// One mmap: the only owner of the range; unmapped exactly once on dispose.
/// </summary>
public sealed unsafe class MemoryMapping : IDisposable
{
    private void* _address;

    private MemoryMapping(void* address, ulong length)
    {
        _address = address;
        Length = length;
    }

    ~MemoryMapping() => Unmap();

    /// <summary>Host virtual address of the first byte.</summary>
    public nint Address => (nint)_address;

    public byte* Pointer => (byte*)_address;

    public ulong Length { get; }

    public bool IsDisposed => _address == null;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> at <paramref name="offset"/>.</summary>
    public static MemoryMapping Map(FileDescriptor? fd, ulong length, int prot, int flags, long offset, string what)
    {
        void* p = LibC.mmap(null, (nuint)length, prot, flags, fd?.Fd ?? -1, offset);
        if (p == (void*)-1)
            Sys.Throw("mmap", what);
        return new MemoryMapping(p, length);
    }

    /// <summary>
    /// The same, at an address that is a multiple of <paramref name="alignment"/>
    /// (a power of two). The kernel only aligns large anonymous mappings to
    /// 2 MiB by itself on recent kernels, and transparent huge pages need the
    /// mapping and the guest-physical layout to agree on 2 MiB boundaries; a
    /// hugetlb file can only be mapped at a multiple of its page size. So an
    /// inaccessible range one alignment longer is reserved first, the real
    /// mapping replaces its aligned part (MAP_FIXED), and the rest is unmapped.
    /// </summary>
    public static MemoryMapping MapAligned(FileDescriptor? fd, ulong length, int prot, int flags, long offset, ulong alignment, string what)
    {
        if (alignment <= 4096)
            return Map(fd, length, prot, flags, offset, what);
        ulong reserved = length + alignment;
        void* area = LibC.mmap(null, (nuint)reserved, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (area == (void*)-1)
            Sys.Throw("mmap", what);
        ulong start = (ulong)area;
        ulong aligned = (start + alignment - 1) & ~(alignment - 1);
        void* p = LibC.mmap((void*)aligned, (nuint)length, prot, flags | LibC.MAP_FIXED, fd?.Fd ?? -1, offset);
        if (p == (void*)-1)
        {
            int errno = Sys.LastErrno;
            LibC.munmap(area, (nuint)reserved);
            throw new PosixException("mmap", errno, what);
        }
        if (aligned > start)
            LibC.munmap(area, (nuint)(aligned - start));
        ulong end = aligned + length;
        if (start + reserved > end)
            LibC.munmap((void*)end, (nuint)(start + reserved - end));
        return new MemoryMapping(p, length);
    }

    public Span<byte> AsSpan(ulong offset, int length)
    {
        ObjectDisposedException.ThrowIf(_address == null, this);
        if (offset > Length || (ulong)length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset));
        return new Span<byte>((byte*)_address + offset, length);
    }

    public void Dispose()
    {
        Unmap();
        GC.SuppressFinalize(this);
    }

    private void Unmap()
    {
        void* p = _address;
        if (p != null)
        {
            _address = null;
            LibC.munmap(p, (nuint)Length);
        }
    }
}
