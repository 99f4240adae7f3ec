using Emu.Core.Posix;

namespace Emu.Core.Memory;

/// <summary>
/// Host memory that backs guest RAM or ROM: one mapping, whose host virtual
/// address goes to KVM memslots and VFIO DMA maps and backs the spans devices
/// read and write. By default it is private anonymous memory; a memory backend
/// with share=on maps a memfd or a file shared instead, so another process can
/// map the same pages. The mapping (and the file, if any) is owned here and
/// released on dispose.
/// </summary>
public sealed unsafe class RamBlock : IHostMemory, IDisposable
{
    /// <summary>Transparent huge pages are PMD-sized: 2 MiB on x86-64.</summary>
    public const ulong HugePageAlignment = 2UL << 20;

    private readonly MemoryMapping _mapping;

    /// <summary>Private anonymous memory (<see cref="RamBlockOptions.Default"/>).</summary>
    public RamBlock(string name, ulong size)
        : this(name, size, null, RamBlockOptions.Default)
    {
    }

    /// <summary>
    /// Maps <paramref name="size"/> bytes of <paramref name="file"/> (from offset
    /// 0), or anonymous memory when it is null. The block owns the file from
    /// here on, failure included.
    /// </summary>
    public RamBlock(string name, ulong size, FileDescriptor? file, RamBlockOptions options)
    {
        try
        {
            ulong page = Math.Max(options.HugePageSize, 4096);
            if (size == 0 || size % page != 0)
                throw new ArgumentException($"RAM block '{name}' size 0x{size:x} must be a non-zero multiple of {ByteSizeText.Format(page)}", nameof(size));
            Name = name;
            Size = size;
            File = file;
            Options = options;
            int flags = options.Shared ? LibC.MAP_SHARED : LibC.MAP_PRIVATE;
            if (file == null)
                flags |= LibC.MAP_ANONYMOUS;
            // A hugetlb mapping is always reserved: with MAP_NORESERVE and no
            // free huge page the guest's first touch would be a SIGBUS, while a
            // reservation fails here, with ENOMEM, before the guest starts.
            if (!options.Reserve && options.HugePageSize == 0)
                flags |= LibC.MAP_NORESERVE;
            ulong alignment = options.HugePageSize != 0 ? options.HugePageSize : size >= HugePageAlignment ? HugePageAlignment : 4096;
            _mapping = MemoryMapping.MapAligned(file, size, LibC.PROT_READ | LibC.PROT_WRITE, flags, 0, alignment, name);
        }
        catch
        {
            file?.Dispose();
            throw;
        }
        Advise();
    }

    public string Name { get; }

    public ulong Size { get; }

    /// <summary>The memfd or file behind the block (for sharing with other processes); null for anonymous memory.</summary>
    public FileDescriptor? File { get; }

    public RamBlockOptions Options { get; }

    /// <summary>Host virtual address of the block's first byte.</summary>
    public nint HostAddress => _mapping.Address;

    public byte* Pointer => _mapping.Pointer;

    /// <summary>A bounds-checked view of part of the block.</summary>
    public Span<byte> AsSpan(ulong offset, int length) => _mapping.AsSpan(offset, length);

    private void Advise()
    {
        void* p = _mapping.Pointer;
        var length = (nuint)Size;
        try
        {
            // Transparent huge pages: KVM's nested page tables and the IOMMU
            // mappings VFIO makes for device DMA use 2 MiB entries only where
            // guest RAM is on huge pages (with 4 KiB pages a passed-through NVMe
            // read ran at an eighth of QEMU's speed in the lab). Private anonymous
            // memory gets them under Debian's default THP setting ("madvise");
            // shmem (a memfd, a file on tmpfs) only where
            // /sys/kernel/mm/transparent_hugepage/shmem_enabled allows them.
            // hugetlb pages are huge already.
            if (Options.HugePageSize == 0)
                LibC.madvise(p, length, LibC.MADV_HUGEPAGE);
            // As QEMU does: a child process (fork) does not get guest RAM. Pages
            // pinned for VFIO DMA would otherwise be copied on write in the parent
            // after a fork, and the device would go on writing the old copy.
            LibC.madvise(p, length, LibC.MADV_DONTFORK);
            if (Options.Merge)
                LibC.madvise(p, length, LibC.MADV_MERGEABLE);
            if (!Options.Dump)
                LibC.madvise(p, length, LibC.MADV_DONTDUMP);
            if (Options.Prealloc)
                Populate(p, length);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    // MADV_POPULATE_WRITE (Linux 5.14) faults every page in writable without
    // changing its contents; it fails with ENOMEM (or EFAULT, for hugetlb) when
    // the memory is not there, which is the point of preallocating.
    private void Populate(void* p, nuint length)
    {
        if (LibC.madvise(p, length, LibC.MADV_POPULATE_WRITE) == 0)
            return;
        int errno = Sys.LastErrno;
        if (errno != LibC.EINVAL)
            throw new PosixException("madvise(MADV_POPULATE_WRITE)", errno, Name);
        // An older kernel: touch every page, writing back what is there.
        var bytes = (byte*)p;
        for (nuint offset = 0; offset < length; offset += 4096)
            Volatile.Write(ref bytes[offset], Volatile.Read(ref bytes[offset]));
    }

    public void Dispose()
    {
        _mapping?.Dispose();
        File?.Dispose();
    }
}
