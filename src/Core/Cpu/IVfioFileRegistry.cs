using Emu.Core.Posix;

namespace Emu.Core.Cpu;

/// <summary>
/// Tells the accelerator which VFIO files (a group, /dev/vfio/N, or a device
/// cdev, /dev/vfio/devices/vfioN) the VM's passthrough devices use. KVM needs
/// this (its KVM-VFIO pseudo device) to learn whether a device can do DMA that
/// does not snoop the CPU caches, in which case guest WBINVD must really flush.
/// </summary>
public interface IVfioFileRegistry
{
    /// <summary>Registers <paramref name="file"/>; disposing the result unregisters it.</summary>
    IDisposable Add(FileDescriptor file);
}
