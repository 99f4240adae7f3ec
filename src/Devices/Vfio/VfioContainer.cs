using Emu.Core.Machines;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// The legacy VFIO IOMMU backend: a container (/dev/vfio/vfio) with the type1v2
/// IOMMU, into which groups are put. The IOMMU model can only be chosen once a
/// group is in the container (VFIO_SET_IOMMU fails on an empty one), so the
/// first group added sets it. DMA maps are per container and shared by every
/// group in it.
/// </summary>
internal sealed class VfioContainer : IVfioDmaMapper, IDisposable
{
    public const string Path = "/dev/vfio/vfio";

    private readonly IVfioSystem _system;
    private readonly List<VfioGroup> _groups = new();
    private bool _iommuSet;

    public VfioContainer(IVfioSystem system)
    {
        _system = system;
        if (!system.Exists("/dev/vfio"))
            throw new MachineConfigurationException("vfio-pci: /dev/vfio does not exist: this kernel has no VFIO (modprobe vfio-pci, or a kernel with CONFIG_VFIO)");
        try
        {
            Handle = system.Open(Path, LibC.O_RDWR);
        }
        catch (PosixException e)
        {
            throw VfioErrors.OpenFailed("vfio-pci", Path, e);
        }
        try
        {
            int version = system.GetApiVersion(Handle);
            if (version != VfioConstants.ApiVersion)
                throw new MachineConfigurationException($"vfio-pci: {Path} speaks VFIO API version {version}, not {VfioConstants.ApiVersion}");
            if (!system.CheckExtension(Handle, VfioConstants.Type1v2Iommu))
                throw new MachineConfigurationException($"vfio-pci: {Path} does not offer the type1v2 IOMMU (modprobe vfio_iommu_type1)");
        }
        catch
        {
            Handle.Dispose();
            throw;
        }
    }

    public FileDescriptor Handle { get; }

    public int GroupCount => _groups.Count;

    /// <summary>Puts <paramref name="group"/> in the container; the first group also selects the type1v2 IOMMU.</summary>
    public void Add(VfioGroup group)
    {
        _system.SetContainer(group.Handle, Handle);
        if (!_iommuSet)
        {
            try
            {
                _system.SetIommu(Handle, VfioConstants.Type1v2Iommu);
            }
            catch
            {
                _system.UnsetContainer(group.Handle);
                throw;
            }
            _iommuSet = true;
        }
        _groups.Add(group);
    }

    public void Remove(VfioGroup group)
    {
        if (!_groups.Remove(group))
            return;
        if (!group.Handle.IsClosed)
            _system.UnsetContainer(group.Handle);
    }

    public void Map(ulong iova, ulong hostAddress, ulong size, bool writable) => _system.MapDma(Handle, hostAddress, iova, size, writable);

    public void Unmap(ulong iova, ulong size) => _system.UnmapDma(Handle, iova, size);

    public void Dispose() => Handle.Dispose();
}
