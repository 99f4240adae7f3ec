using System.Runtime.CompilerServices;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Migration;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// The group/container path (every kernel with VFIO): one container per
/// machine, with the type1v2 IOMMU and one DMA listener; each IOMMU group is
/// opened once (a second open of /dev/vfio/N fails with EBUSY) and shared by
/// the machine's devices in it; devices come from VFIO_GROUP_GET_DEVICE_FD.
/// The container and its listener go when the last group leaves.
/// Devices come (QMP device_add, the command line) and go (the removal path)
/// on different threads: everything here is done under one lock, which comes
/// before the memory topology's (the DMA listener is added and removed under it).
/// </summary>
internal sealed class VfioGroupBackend : IVfioBackend, IVfioDirtyTracking
{
    // The IOMMU page size type1 reports dirty pages in (x86: 4 KiB).
    private const ulong DirtyPageSize = 4096;

    private static readonly ConditionalWeakTable<Machine, VfioGroupBackend> s_machines = new();

    private readonly IVfioSystem _system;
    private readonly Dictionary<int, VfioGroup> _groups = new();
    private readonly object _lock = new();
    private VfioContainer? _container;
    private VfioDmaListener? _listener;
    private Machine? _machine;
    private int _dirtyUsers;

    private VfioGroupBackend(IVfioSystem system) => _system = system;

    public static VfioGroupBackend For(Machine machine, IVfioSystem system) => s_machines.GetValue(machine, _ => new VfioGroupBackend(system));

    /// <summary>The DMA listener while a container is open (for tests and listings).</summary>
    internal VfioDmaListener? Listener
    {
        get
        {
            lock (_lock)
                return _listener;
        }
    }

    internal int OpenGroups
    {
        get
        {
            lock (_lock)
                return _groups.Count;
        }
    }

    public VfioAttachment Attach(VfioHostDevice host, Machine machine, string who)
    {
        lock (_lock)
            return AttachLocked(host, machine, who);
    }

    private VfioAttachment AttachLocked(VfioHostDevice host, Machine machine, string who)
    {
        int number = host.Group ?? throw new MachineConfigurationException($"{who}: the device has no IOMMU group");
        _container ??= new VfioContainer(_system);
        _machine = machine;
        VfioGroup? group = null;
        bool newGroup = false;
        try
        {
            if (!_groups.TryGetValue(number, out group))
            {
                group = VfioGroup.Open(_system, number, who);
                _container.Add(group);
                _groups.Add(number, group);
                newGroup = true;
            }
            if (_listener == null)
            {
                _listener = new VfioDmaListener(_container, machine.LoggerFactory.CreateLogger("vfio"));
                machine.SystemMemory.AddListener(_listener);
            }
            FileDescriptor device;
            try
            {
                device = _system.GetDeviceFd(group.Handle, host.Name);
            }
            catch (PosixException e) when (e.Errno == LibC.EBUSY)
            {
                throw VfioErrors.InUse(who, e);
            }
            group.Users++;
            VfioGroup owner = group;
            return new VfioAttachment(device, group.Handle, "container", () => Release(owner)) { DirtyTracking = this };
        }
        catch
        {
            if (newGroup)
                Drop(group!);
            else if (group == null && _groups.Count == 0)
                CloseContainer();
            throw;
        }
    }

    // Type1 logs the pages mapped for DMA that devices may have written (all
    // pinned pages, for a device whose driver does not report finer); a
    // failure throws, so a migration never goes on without the device's pages.
    public void Start()
    {
        lock (_lock)
        {
            if (_container == null)
                throw new MigrationException("vfio: no container to track device DMA in");
            if (_dirtyUsers++ == 0)
                Call(() => _system.SetDirtyPageTracking(_container.Handle, true), "start");
        }
    }

    public void Collect(DirtyPageLog log)
    {
        lock (_lock)
        {
            if (_container == null || _listener == null || _dirtyUsers == 0)
                return;
            foreach ((ulong iova, ulong size) in _listener.Mapped)
            {
                ulong pages = size / DirtyPageSize;
                ulong[] bitmap = new ulong[(pages + 63) / 64];
                Call(() => _system.GetDirtyBitmap(_container.Handle, iova, size, DirtyPageSize, bitmap), "read");
                log.Merge(iova, bitmap);
            }
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            if (_dirtyUsers == 0 || --_dirtyUsers > 0 || _container == null)
                return;
            Call(() => _system.SetDirtyPageTracking(_container.Handle, false), "stop");
        }
    }

    private static void Call(Action call, string what)
    {
        try
        {
            call();
        }
        catch (PosixException e)
        {
            throw new MigrationException($"vfio: cannot {what} the IOMMU's log of pages devices write (VFIO_IOMMU_DIRTY_PAGES): {e.Message}", e);
        }
    }

    private void Release(VfioGroup group)
    {
        lock (_lock)
        {
            if (--group.Users > 0)
                return;
            Drop(group);
        }
    }

    // Takes a group out of the container; the last one out closes the container.
    private void Drop(VfioGroup group)
    {
        _groups.Remove(group.Number);
        if (_groups.Count == 0)
            StopListening(); // unmaps every range while the IOMMU is still set
        _container?.Remove(group);
        group.Dispose();
        if (_groups.Count == 0)
            CloseContainer();
    }

    private void StopListening()
    {
        if (_listener != null && _machine != null)
            _machine.SystemMemory.RemoveListener(_listener);
        _listener = null;
    }

    private void CloseContainer()
    {
        StopListening();
        _container?.Dispose();
        _container = null;
    }
}
