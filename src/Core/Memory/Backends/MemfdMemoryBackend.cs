using System.Numerics;
using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Core.Memory.Backends;

/// <summary>
/// -object memory-backend-memfd: guest RAM in a memfd (shared memory with no
/// name in the file system), shared by default so that another process given
/// the descriptor (vhost-user, vfio-user) maps the same pages. With hugetlb=on
/// the memfd lives on the kernel's internal hugetlbfs and takes its pages from
/// the host's huge page pool.
/// </summary>
public sealed class MemfdMemoryBackend : MemoryBackend
{
    public static readonly BoolProperty ShareProperty = new("share", true, "Map the memory shared (MAP_SHARED) instead of private");

    public static readonly BoolProperty HugeTlbProperty = new("hugetlb", false, "Take the memory from the host's huge page pool (hugetlbfs)");

    public static readonly SizeProperty HugeTlbSizeProperty = new("hugetlbsize", 0, "The huge page size with hugetlb=on (default: the host's default size)");

    public static readonly BoolProperty SealProperty = new("seal", true, "Seal the memfd against growing and shrinking (F_SEAL_GROW, F_SEAL_SHRINK)");

    public static new readonly ObjectType TypeInfo = new("memory-backend-memfd", MemoryBackend.TypeInfo, t => new MemfdMemoryBackend(t),
        "Guest RAM in a memfd, shared with other processes", new PropertyInfo[] { ShareProperty, HugeTlbProperty, HugeTlbSizeProperty, SealProperty },
        userCreatable: true);

    private MemfdMemoryBackend(ObjectType type) : base(type)
    {
    }

    public override bool Share => Get(ShareProperty);

    protected override RamBlock Allocate(ulong size, RamBlockOptions options)
    {
        bool hugeTlb = Get(HugeTlbProperty);
        ulong pageSize = Get(HugeTlbSizeProperty);
        uint flags = LibC.MFD_CLOEXEC;
        if (Get(SealProperty))
            flags |= LibC.MFD_ALLOW_SEALING;
        if (hugeTlb)
        {
            if (pageSize == 0)
                pageSize = HugePages.DefaultSize();
            if (!BitOperations.IsPow2(pageSize))
                throw new MachineConfigurationException($"{Who}: hugetlbsize={pageSize} is not a power of two");
            HugePages.CheckAvailable(pageSize, size, Who, "hugetlb=on");
            flags |= LibC.MFD_HUGETLB | ((uint)BitOperations.Log2(pageSize) << LibC.MFD_HUGE_SHIFT);
            options = options with { HugePageSize = pageSize };
        }
        else if (pageSize != 0)
        {
            throw new MachineConfigurationException($"{Who}: hugetlbsize= needs hugetlb=on");
        }
        int fd = LibC.memfd_create(Id ?? "memfd", flags);
        if (fd < 0)
            throw new MachineConfigurationException($"{Who}: memfd_create: {LibC.ErrorText(Sys.LastErrno)}");
        var file = new FileDescriptor(fd);
        try
        {
            if (LibC.ftruncate(fd, (long)size) < 0)
                throw new MachineConfigurationException($"{Who}: cannot size the memfd to {ByteSizeText.Format(size)}: {LibC.ErrorText(Sys.LastErrno)}");
            // As QEMU's memfd backend does: the size is fixed from here on, so a
            // process the memfd is handed to cannot shrink it under the guest.
            if (Get(SealProperty) && LibC.fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_GROW | LibC.F_SEAL_SHRINK | LibC.F_SEAL_SEAL) < 0)
                throw new MachineConfigurationException($"{Who}: cannot seal the memfd: {LibC.ErrorText(Sys.LastErrno)}");
        }
        catch
        {
            file.Dispose();
            throw;
        }
        try
        {
            return new RamBlock(Id ?? "memfd", size, file, options);
        }
        catch (PosixException e) when (hugeTlb && e.Errno == LibC.ENOMEM)
        {
            throw new MachineConfigurationException($"{Who}: hugetlb=on: the host's pool of {ByteSizeText.Format(pageSize)} pages cannot hold {ByteSizeText.Format(size)}", e);
        }
        catch (PosixException e)
        {
            throw new MachineConfigurationException($"{Who}: cannot map the memfd: {LibC.ErrorText(e.Errno)}", e);
        }
    }
}
