using Emu.Accel.Kvm.Interop;
using Emu.Core.Cpu;
using Emu.Core.Posix;

namespace Emu.Accel.Kvm;

/// <summary>
/// The KVM-VFIO pseudo device (KVM_CREATE_DEVICE with KVM_DEV_TYPE_VFIO,
/// Documentation/virt/kvm/devices/vfio.rst): VFIO group or device files are
/// added to it (KVM_DEV_VFIO_FILE_ADD, formerly KVM_DEV_VFIO_GROUP_ADD; same
/// numbers) so KVM knows when the VM has a device whose DMA does not snoop
/// the CPU caches. Created on the first registration: a kernel built without
/// VFIO has no such device type and then nothing is registered. A file is
/// added once however many devices use it (functions of one IOMMU group share
/// the group file): KVM refuses a second add with EEXIST.
/// </summary>
internal sealed unsafe class KvmVfioDevice : IVfioFileRegistry, IDisposable
{
    // KVM_DEV_VFIO_FILE (group 1) and its attributes.
    internal const uint GroupFile = 1;
    internal const ulong AttrFileAdd = 1;
    internal const ulong AttrFileDel = 2;

    private readonly FileDescriptor _vm;
    private readonly object _lock = new();
    // By handle, not by number: a number is reused as soon as its file is closed.
    private readonly Dictionary<FileDescriptor, int> _users = new(ReferenceEqualityComparer.Instance);
    private FileDescriptor? _device;

    public KvmVfioDevice(FileDescriptor vm) => _vm = vm;

    public IDisposable Add(FileDescriptor file)
    {
        lock (_lock)
        {
            _device ??= KvmApi.CreateDevice(_vm, KvmCreateDevice.TypeVfio);
            int users = _users.GetValueOrDefault(file);
            if (users == 0)
                SetFileAttr(_device, file, AttrFileAdd, "KVM_DEV_VFIO_FILE_ADD");
            _users[file] = users + 1;
            return new KvmVfioRegistration(this, file);
        }
    }

    internal void Remove(FileDescriptor file)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(file, out int users))
                return;
            if (users > 1)
            {
                _users[file] = users - 1;
                return;
            }
            _users.Remove(file);
            if (_device != null && !_device.IsClosed && !file.IsClosed)
                SetFileAttr(_device, file, AttrFileDel, "KVM_DEV_VFIO_FILE_DEL");
        }
    }

    private static void SetFileAttr(FileDescriptor device, FileDescriptor file, ulong attr, string what)
    {
        using FileDescriptorLease lease = file.Lease();
        int fd = lease.Fd;
        try
        {
            KvmApi.SetDeviceAttr(device, new KvmDeviceAttr { Group = GroupFile, Attr = attr, Addr = (ulong)(nint)(&fd) });
        }
        catch (KvmException e)
        {
            throw new KvmException($"{what} (fd {fd})", e.Errno);
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _device?.Dispose();
    }
}
