namespace Emu.Core.Memory;

/// <summary>
/// Host memory that can be mapped straight into the guest: RAM blocks, and
/// device memory such as a passthrough device's mmapped BAR.
/// </summary>
public interface IHostMemory
{
    /// <summary>Host virtual address of the first byte.</summary>
    nint HostAddress { get; }

    /// <summary>Length in bytes.</summary>
    ulong Size { get; }
}
