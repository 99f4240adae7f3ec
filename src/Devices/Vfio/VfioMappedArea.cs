using Emu.Core.Memory;
using Emu.Core.Posix;

namespace Emu.Devices.Vfio;

/// <summary>
/// Part of a BAR mmapped from the device fd: host memory that is the device's
/// registers or memory. Entered into the region tree as device RAM, it
/// becomes a KVM memslot and guest accesses to it never leave the guest.
/// The mapping is owned here and unmapped on dispose.
/// </summary>
internal sealed class VfioMappedArea : IHostMemory, IDisposable
{
    private readonly MemoryMapping _mapping;

    public VfioMappedArea(MemoryMapping mapping, VfioArea area)
    {
        _mapping = mapping;
        Area = area;
    }

    /// <summary>Where in the BAR the area starts, and its size.</summary>
    public VfioArea Area { get; }

    public nint HostAddress => _mapping.Address;

    public ulong Size => _mapping.Length;

    public bool IsDisposed => _mapping.IsDisposed;

    public void Dispose() => _mapping.Dispose();
}
