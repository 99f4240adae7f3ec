using Emu.Core.Machines;
using Emu.Core.Objects;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// -object iommufd,id=ID: an open /dev/iommu (Linux 6.6+) that vfio-pci devices
/// with iommufd=ID attach to instead of a VFIO container. It holds one I/O
/// address space (IOAS) that mirrors guest RAM, shared by all its devices, as
/// QEMU's iommufd backend does when there is no vIOMMU.
/// </summary>
public sealed class IommufdBackend : EmuObject, IDisposable
{
    public const string DevicePath = "/dev/iommu";

    public static readonly ObjectType TypeInfo = new(
        "iommufd", null, t => new IommufdBackend(t), "The iommufd IOMMU interface (/dev/iommu) for vfio-pci devices",
        interfaces: new[] { "user-creatable" }, userCreatable: true);

    private IVfioSystem _system = LinuxVfioSystem.Instance;
    private IommufdDomain? _domain;
    private int _users;

    public IommufdBackend(ObjectType type) : base(type)
    {
    }

    internal IVfioSystem Syscalls
    {
        get => _system;
        set => _system = value;
    }

    internal IommufdDomain? Domain => _domain;

    /// <summary>Opens /dev/iommu and the IOAS on first use; the caller then attaches its device.</summary>
    internal IommufdDomain Acquire(Machine machine, string who)
    {
        if (_domain == null)
        {
            FileDescriptor handle;
            try
            {
                handle = _system.Open(DevicePath, LibC.O_RDWR);
            }
            catch (PosixException e) when (e.Errno == LibC.ENOENT)
            {
                throw new MachineConfigurationException($"{who}: {DevicePath} does not exist: iommufd needs Linux 6.6+ with CONFIG_IOMMUFD (modprobe iommufd), or drop iommufd= to use the VFIO group path", e);
            }
            catch (PosixException e)
            {
                throw VfioErrors.OpenFailed(who, DevicePath, e);
            }
            try
            {
                _domain = new IommufdDomain(_system, handle, machine, machine.LoggerFactory.CreateLogger("vfio"));
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        else if (!ReferenceEquals(_domain.Machine, machine))
        {
            throw new MachineConfigurationException($"{who}: iommufd '{Id}' belongs to another machine");
        }
        _users++;
        return _domain;
    }

    /// <summary>A device detached; the last one out closes the IOAS and /dev/iommu.</summary>
    internal void Release()
    {
        if (_users > 0 && --_users == 0)
        {
            _domain?.Dispose();
            _domain = null;
        }
    }

    public void Dispose()
    {
        _domain?.Dispose();
        _domain = null;
        _users = 0;
    }
}
