using Emu.Core.Posix;

namespace Emu.Core.Memory;

/// <summary>
/// Host memory that backs guest RAM or ROM: a memfd mapped MAP_SHARED, so the
/// same pages can be given to KVM (memslots), VFIO (DMA maps) and other
/// processes. The mapping and the memfd are owned here and released on dispose.
/// </summary>
public sealed unsafe class RamBlock : IHostMemory, IDisposable
{
    private readonly MemoryMapping _mapping;

    public RamBlock(string name, ulong size, bool noReserve = true)
    {
        if (size == 0 || (size & 0xFFF) != 0)
            throw new ArgumentException($"RAM block '{name}' size 0x{size:x} must be a non-zero multiple of 4 KiB", nameof(size));
        Name = name;
        Size = size;
        int fd = LibC.memfd_create("emu:" + name, LibC.MFD_CLOEXEC);
        if (fd < 0)
            Sys.Throw("memfd_create", name);
        File = new FileDescriptor(fd);
        try
        {
            Sys.Check(LibC.ftruncate(File, (long)size), "ftruncate(memfd)");
            int flags = LibC.MAP_SHARED | (noReserve ? LibC.MAP_NORESERVE : 0);
            _mapping = MemoryMapping.Map(File, size, LibC.PROT_READ | LibC.PROT_WRITE, flags, 0, name);
            // Ask for transparent huge pages. KVM's nested page tables and the
            // IOMMU mappings VFIO makes for device DMA use 2 MiB entries only
            // where guest RAM is on huge pages; with 4 KiB pages a passed-through
            // NVMe read ran at an eighth of QEMU's speed in the lab. A memfd is
            // shmem, which the kernel gives huge pages only where madvised and
            // /sys/kernel/mm/transparent_hugepage/shmem_enabled is "advise" (or
            // "always"); anywhere else this is a no-op.
            LibC.madvise(_mapping.Pointer, (nuint)size, LibC.MADV_HUGEPAGE);
        }
        catch
        {
            File.Dispose();
            throw;
        }
    }

    public string Name { get; }

    public ulong Size { get; }

    /// <summary>The memfd behind the block (for sharing with other processes).</summary>
    public FileDescriptor File { get; }

    /// <summary>Host virtual address of the block's first byte.</summary>
    public nint HostAddress => _mapping.Address;

    public byte* Pointer => _mapping.Pointer;

    /// <summary>A bounds-checked view of part of the block.</summary>
    public Span<byte> AsSpan(ulong offset, int length) => _mapping.AsSpan(offset, length);

    public void Dispose()
    {
        _mapping.Dispose();
        File.Dispose();
    }
}
