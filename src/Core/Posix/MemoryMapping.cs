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
        void* p = fd == null
            ? LibC.mmap(null, (nuint)length, prot, flags, -1, offset)
            : LibC.mmap(null, (nuint)length, prot, flags, fd, offset);
        if (p == (void*)-1)
            Sys.Throw("mmap", what);
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
