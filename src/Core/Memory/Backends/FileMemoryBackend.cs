using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Core.Memory.Backends;

/// <summary>
/// -object memory-backend-file,mem-path=PATH: guest RAM in a file, as QEMU
/// does it. PATH is a file (created if its directory exists, grown to size=
/// if shorter) or a directory, in which an unnamed file is made and unlinked
/// at once. On hugetlbfs (e.g. /dev/hugepages) the memory comes from the
/// host's huge page pool. With share=on (QEMU's default is off) writes reach
/// the file, so another process mapping it sees guest RAM.
/// </summary>
public sealed unsafe class FileMemoryBackend : MemoryBackend
{
    public static readonly BoolProperty ShareProperty = new("share", false, "Map the file shared (MAP_SHARED): writes reach the file and other processes mapping it");

    public static readonly StringProperty MemPathProperty = new("mem-path", null, "The file, or a directory to make an unnamed file in");

    public static new readonly ObjectType TypeInfo = new("memory-backend-file", MemoryBackend.TypeInfo, t => new FileMemoryBackend(t),
        "Guest RAM in a file (e.g. on tmpfs or hugetlbfs)", new PropertyInfo[] { ShareProperty, MemPathProperty }, userCreatable: true);

    private FileMemoryBackend(ObjectType type) : base(type)
    {
    }

    public override bool Share => Get(ShareProperty);

    protected override RamBlock Allocate(ulong size, RamBlockOptions options)
    {
        string path = Get(MemPathProperty) ?? throw new MachineConfigurationException($"{Who}: mem-path= is missing");
        FileDescriptor file = Open(path);
        try
        {
            StatFs fs;
            if (LibC.fstatfs(file.Fd, &fs) < 0)
                throw new MachineConfigurationException($"{Who}: mem-path '{path}': fstatfs: {LibC.ErrorText(Sys.LastErrno)}");
            if (fs.Type == LibC.HUGETLBFS_MAGIC)
            {
                HugePages.CheckAvailable((ulong)fs.BlockSize, size, Who, $"mem-path '{path}' is on hugetlbfs");
                options = options with { HugePageSize = (ulong)fs.BlockSize };
            }
            Grow(file, path, size);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        try
        {
            return new RamBlock(Id ?? "file", size, file, options);
        }
        catch (PosixException e) when (Share)
        {
            throw new MachineConfigurationException($"{Who}: the file system of '{path}' refuses a shared mapping (share=on): {LibC.ErrorText(e.Errno)}", e);
        }
        catch (PosixException e)
        {
            throw new MachineConfigurationException($"{Who}: cannot map '{path}': {LibC.ErrorText(e.Errno)}", e);
        }
    }

    // QEMU's file_ram_open: an existing file is opened, a missing file in an
    // existing directory is created (and stays), a directory gets an unnamed file.
    private FileDescriptor Open(string path)
    {
        if (Directory.Exists(path))
            return CreateUnnamed(path);
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0 && Sys.LastErrno == LibC.ENOENT)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory == null || !Directory.Exists(directory))
                throw new MachineConfigurationException($"{Who}: mem-path '{path}' does not exist (nor does its directory)");
            fd = LibC.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0b110_100_100);
        }
        if (fd < 0)
            throw new MachineConfigurationException($"{Who}: cannot open mem-path '{path}' for reading and writing: {LibC.ErrorText(Sys.LastErrno)}");
        return new FileDescriptor(fd);
    }

    private FileDescriptor CreateUnnamed(string directory)
    {
        for (int attempt = 0; ; attempt++)
        {
            string path = Path.Combine(directory, $"emu_back_mem.{Id}.{Random.Shared.Next():x8}");
            int fd = LibC.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0b110_000_000);
            if (fd >= 0)
            {
                // The mapping keeps the memory; nobody else needs the name.
                File.Delete(path);
                return new FileDescriptor(fd);
            }
            int errno = Sys.LastErrno;
            if (errno != LibC.EEXIST || attempt == 16)
                throw new MachineConfigurationException($"{Who}: cannot create a file in mem-path '{directory}': {LibC.ErrorText(errno)}");
        }
    }

    // A regular file shorter than the memory is grown (sparse: nothing is
    // written). Anything else (a device, a file of another kind) keeps its size
    // and is judged by mmap.
    private void Grow(FileDescriptor file, string path, ulong size)
    {
        long length = LibC.lseek(file.Fd, 0, LibC.SEEK_END);
        if (length < 0 || (ulong)length >= size)
            return;
        if (LibC.ftruncate(file.Fd, (long)size) < 0 && Sys.LastErrno != LibC.EINVAL)
            throw new MachineConfigurationException($"{Who}: cannot grow '{path}' to {ByteSizeText.Format(size)}: {LibC.ErrorText(Sys.LastErrno)}");
    }
}
