using Emu.Core.Machines;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// An IOMMU group opened through /dev/vfio/N. The group is the unit of
/// isolation: it is usable (viable) only when every device in it is bound to
/// vfio-pci or to no driver, because a host driver in the same group could
/// DMA into the memory the guest's device is given.
/// </summary>
internal sealed class VfioGroup : IDisposable
{
    private VfioGroup(int number, FileDescriptor handle)
    {
        Number = number;
        Handle = handle;
    }

    public int Number { get; }

    public FileDescriptor Handle { get; }

    /// <summary>Devices of this VM using the group (a group is opened once per process).</summary>
    public int Users { get; set; }

    public static VfioGroup Open(IVfioSystem system, int number, string who)
    {
        string path = $"/dev/vfio/{number}";
        FileDescriptor handle;
        try
        {
            handle = system.Open(path, LibC.O_RDWR);
        }
        catch (PosixException e)
        {
            throw VfioErrors.OpenFailed(who, path, e);
        }
        try
        {
            uint status = system.GetGroupStatus(handle);
            if ((status & VfioGroupStatus.FlagViable) == 0)
            {
                throw new MachineConfigurationException(
                    $"{who}: IOMMU group {number} is not viable: every device in it must be bound to vfio-pci or to no driver; it has {VfioHostDevice.DescribeGroup(system, number)}");
            }
            if ((status & VfioGroupStatus.FlagContainerSet) != 0)
                throw new MachineConfigurationException($"{who}: IOMMU group {number} is already in use (it is attached to a container)");
            return new VfioGroup(number, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Dispose() => Handle.Dispose();
}
