using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Core.Memory.Backends;

/// <summary>
/// -object memory-backend-*: host memory for guest RAM, used by the machine
/// through -machine memory-backend=ID (QEMU's HostMemoryBackend). Without one
/// the machine gets a memory-backend-ram named "pc.ram", as in QEMU. The
/// memory is mapped when the object is completed, before the machine is built.
/// </summary>
public abstract class MemoryBackend : EmuObject, IUserCreatable, IDisposable
{
    public static readonly SizeProperty SizeProperty = new("size", 0, "Size of the memory (e.g. 1G); with -machine memory-backend= it is the guest's RAM size");

    public static readonly BoolProperty PreallocProperty = new("prealloc", false, "Make all of the memory resident before the guest starts");

    public static readonly BoolProperty ReserveProperty = new("reserve", false,
        "Have Linux account for all of the memory up front (off: MAP_NORESERVE, untouched memory is not committed; hugetlb memory is always reserved)");

    public static readonly BoolProperty MergeProperty = new("merge", true, "Let KSM merge identical pages (MADV_MERGEABLE)");

    public static readonly BoolProperty DumpProperty = new("dump", true, "Include the memory in core dumps (off: MADV_DONTDUMP)");

    public static readonly ObjectType TypeInfo = new("memory-backend", null, null, "Base type of the memory backends",
        new PropertyInfo[] { SizeProperty, PreallocProperty, ReserveProperty, MergeProperty, DumpProperty },
        interfaces: new[] { "user-creatable" });

    protected MemoryBackend(ObjectType type) : base(type)
    {
    }

    /// <summary>The mapped memory, once <see cref="Complete"/> ran.</summary>
    public RamBlock? Block { get; private set; }

    public ulong Size => Get(SizeProperty);

    /// <summary>share=on: the memory is mapped MAP_SHARED, so other processes can map it too.</summary>
    public abstract bool Share { get; }

    /// <summary>How the object is named in errors: "memory-backend-file 'm'".</summary>
    protected string Who => $"{Type.Name} '{Id}'";

    public void Complete()
    {
        if (Block != null)
            throw new InvalidOperationException($"{Who} is already complete");
        ulong size = Size;
        if (size == 0)
            throw new MachineConfigurationException($"{Who}: size= is missing (e.g. size=1G)");
        if (size % 4096 != 0)
            throw new MachineConfigurationException($"{Who}: size={size} is not a multiple of 4 KiB");
        var options = new RamBlockOptions
        {
            Shared = Share,
            Reserve = Get(ReserveProperty),
            Merge = Get(MergeProperty),
            Dump = Get(DumpProperty),
            Prealloc = Get(PreallocProperty),
        };
        try
        {
            Block = Allocate(size, options);
        }
        catch (PosixException e) when (e.Operation.StartsWith("madvise", StringComparison.Ordinal))
        {
            throw new MachineConfigurationException($"{Who}: prealloc=on: the host cannot provide {ByteSizeText.Format(size)} ({LibC.ErrorText(e.Errno)})", e);
        }
        IsRealized = true;
    }

    /// <summary>Maps the memory; errors are <see cref="MachineConfigurationException"/>s that name the option at fault.</summary>
    protected abstract RamBlock Allocate(ulong size, RamBlockOptions options);

    public void Dispose() => Block?.Dispose();
}
