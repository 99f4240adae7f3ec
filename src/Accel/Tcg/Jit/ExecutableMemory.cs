using Emu.Core.Posix;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Memory for generated host code, mapped twice from one memfd: a read-write
/// view the compiler writes through and a read-execute view the CPU runs, so
/// no page is ever writable and executable at once (W^X) and no mprotect is
/// needed between compiling a block and running it. Both views are the same
/// physical pages; x86 keeps instruction fetch coherent with stores, and only
/// the vCPU thread that owns the cache writes to it, from outside generated code.
/// </summary>
internal sealed unsafe class ExecutableMemory : IDisposable
{
    private readonly FileDescriptor _file;
    private readonly MemoryMapping _writable;
    private readonly MemoryMapping _executable;

    private ExecutableMemory(FileDescriptor file, MemoryMapping writable, MemoryMapping executable, int size)
    {
        _file = file;
        _writable = writable;
        _executable = executable;
        Size = size;
    }

    public int Size { get; }

    /// <summary>The view the compiler writes.</summary>
    public byte* Writable => _writable.Pointer;

    /// <summary>The view the CPU executes (same bytes, at another address).</summary>
    public byte* Executable => _executable.Pointer;

    /// <summary>Maps <paramref name="size"/> bytes, or returns null (with the reason) where the host refuses.</summary>
    public static ExecutableMemory? TryCreate(int size, out string? reason)
    {
        reason = null;
        int fd = LibC.memfd_create("emu:jit", LibC.MFD_CLOEXEC);
        if (fd < 0)
        {
            reason = "memfd_create: " + LibC.ErrorText(Sys.LastErrno);
            return null;
        }
        var file = new FileDescriptor(fd);
        MemoryMapping? writable = null;
        try
        {
            Sys.Check(LibC.ftruncate(fd, size), "ftruncate(jit memfd)");
            // MAP_NORESERVE: pages are backed only once code is written into them.
            writable = MemoryMapping.Map(file, (ulong)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_NORESERVE, 0, "jit code (rw)");
            MemoryMapping executable = MemoryMapping.Map(file, (ulong)size, LibC.PROT_READ | LibC.PROT_EXEC, LibC.MAP_SHARED | LibC.MAP_NORESERVE, 0, "jit code (rx)");
            return new ExecutableMemory(file, writable, executable, size);
        }
        catch (PosixException e)
        {
            // A host that forbids executable shared mappings (a hardened SELinux policy, noexec
            // memfds) runs the interpreter alone.
            reason = e.Message;
            writable?.Dispose();
            file.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        _executable.Dispose();
        _writable.Dispose();
        _file.Dispose();
    }
}
