using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;

namespace Emu.Core.Memory.Backends;

/// <summary>
/// -object memory-backend-ram: anonymous memory, private (the default, on
/// transparent huge pages) or, with share=on, shared anonymous memory.
/// </summary>
public sealed class RamMemoryBackend : MemoryBackend
{
    public static readonly BoolProperty ShareProperty = new("share", false, "Map the memory shared (MAP_SHARED) instead of private");

    public static new readonly ObjectType TypeInfo = new("memory-backend-ram", MemoryBackend.TypeInfo, t => new RamMemoryBackend(t),
        "Anonymous memory for guest RAM (the default)", new PropertyInfo[] { ShareProperty }, userCreatable: true);

    private RamMemoryBackend(ObjectType type) : base(type)
    {
    }

    public override bool Share => Get(ShareProperty);

    protected override RamBlock Allocate(ulong size, RamBlockOptions options)
    {
        try
        {
            return new RamBlock(Id ?? "ram", size, null, options);
        }
        catch (PosixException e)
        {
            throw new MachineConfigurationException($"{Who}: cannot map {ByteSizeText.Format(size)} of memory: {LibC.ErrorText(e.Errno)}", e);
        }
    }
}
