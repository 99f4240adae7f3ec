using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Emu.Core.Posix;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// A simulated Linux with VFIO behind <see cref="IVfioSystem"/>: sysfs entries
/// for its functions, /dev/vfio group and container nodes with viability and
/// ownership rules, device fds (memfds, see <see cref="FakePciFunction"/>),
/// iommufd, and a record of every DMA map, interrupt set-up and reset. Every
/// file it hands out is kept so a test can check that all were closed.
/// Knobs make each failure the issue lists happen: no /dev/vfio, permission
/// denied, a busy group or device, a non-viable group, no cdev.
/// </summary>
internal sealed unsafe class FakeVfioKernel : IVfioSystem, IDisposable
{
    private readonly Dictionary<string, FakePciFunction> _functions = new();
    private readonly List<FileDescriptor> _handedOut = new();
    private readonly Dictionary<int, string> _fdPaths = new();
    private readonly HashSet<int> _groupsWithContainer = new();
    private readonly HashSet<string> _openDevices = new();
    private bool _iommuSet;

    public FakeVfioKernel(params FakePciFunction[] functions)
    {
        foreach (FakePciFunction f in functions)
            _functions[f.Name] = f;
    }

    public bool HasDevVfio { get; set; } = true;

    public bool HasIommufd { get; set; } = true;

    public bool HasCdev { get; set; } = true;

    /// <summary>errno for open() of a path (e.g. EACCES for /dev/vfio/7).</summary>
    public Dictionary<string, int> OpenErrors { get; } = new();

    public Dictionary<string, string?> Drivers { get; } = new();

    public HashSet<int> NonViableGroups { get; } = new();

    /// <summary>Other members of each group (name -> driver), for the non-viable message.</summary>
    public Dictionary<int, List<(string Name, string? Driver)>> GroupMembers { get; } = new();

    public HashSet<string> BusyDevices { get; } = new();

    /// <summary>Functions that are mediated devices (/sys/bus/mdev/devices/NAME), with their mdev type.</summary>
    public Dictionary<string, string> MdevTypes { get; } = new();

    public List<(ulong Iova, ulong Host, ulong Size, bool Writable)> DmaMaps { get; } = new();

    public List<(ulong Iova, ulong Size)> DmaUnmaps { get; } = new();

    /// <summary>Current DMA mappings (map minus unmap), by IOVA.</summary>
    public SortedDictionary<ulong, ulong> LiveDma { get; } = new();

    public List<(uint Index, uint Action, uint Start, int[] Fds)> IrqSets { get; } = new();

    public int Resets { get; private set; }

    public int ConfigReads { get; private set; }

    public int IoasAllocations { get; private set; }

    public IReadOnlyList<FileDescriptor> HandedOut => _handedOut;

    public bool AllClosed => _handedOut.All(f => f.IsClosed);

    private FakePciFunction? ByName(string name) => _functions.GetValueOrDefault(name);

    private FileDescriptor Hand(FileDescriptor fd, string path)
    {
        _handedOut.Add(fd);
        _fdPaths[fd.Fd] = path;
        return fd;
    }

    private static FileDescriptor Token() => Sys.EventFd();

    public FileDescriptor Open(string path, int flags)
    {
        if (OpenErrors.TryGetValue(path, out int errno))
            throw new PosixException("open", errno, path);
        if (path.StartsWith("/dev/vfio", StringComparison.Ordinal) && !HasDevVfio)
            throw new PosixException("open", LibC.ENOENT, path);
        if (path == VfioContainer.Path)
            return Hand(Token(), path);
        if (path == IommufdBackend.DevicePath)
        {
            if (!HasIommufd)
                throw new PosixException("open", LibC.ENOENT, path);
            return Hand(Token(), path);
        }
        if (path.StartsWith("/dev/vfio/devices/vfio", StringComparison.Ordinal))
        {
            FakePciFunction f = _functions.Values.ElementAt(int.Parse(path["/dev/vfio/devices/vfio".Length..]));
            if (!_openDevices.Add(f.Name))
                throw new PosixException("open", LibC.EBUSY, path);
            return HandDevice(f, path);
        }
        if (path.StartsWith("/dev/vfio/", StringComparison.Ordinal) && int.TryParse(path["/dev/vfio/".Length..], out int group))
        {
            if (!_functions.Values.Any(f => f.Group == group))
                throw new PosixException("open", LibC.ENOENT, path);
            if (_fdPaths.Values.Contains(path) && _handedOut.Any(h => !h.IsClosed && _fdPaths.GetValueOrDefault(h.Fd) == path))
                throw new PosixException("open", LibC.EBUSY, path);
            return Hand(Token(), path);
        }
        throw new PosixException("open", LibC.ENOENT, path);
    }

    private FileDescriptor HandDevice(FakePciFunction f, string path)
    {
        // A duplicate of the memfd: closing the device fd must not close the function's memory.
        int fd = Fcntl(f.Memory.Fd);
        var handle = new FileDescriptor(fd);
        _handedOut.Add(handle);
        _fdPaths[fd] = path;
        _deviceOf[fd] = f;
        return handle;
    }

    private readonly Dictionary<int, FakePciFunction> _deviceOf = new();

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd, int arg);

    private static int Fcntl(int fd)
    {
        int copy = fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 3);
        if (copy < 0)
            Sys.Throw("fcntl(F_DUPFD_CLOEXEC)");
        return copy;
    }

    private FakePciFunction DeviceOf(FileDescriptor device) => _deviceOf[device.Fd];

    public bool Exists(string path)
    {
        if (path == "/dev/vfio")
            return HasDevVfio;
        if (path.StartsWith("/sys/bus/pci/devices/", StringComparison.Ordinal))
            return _functions.ContainsKey(path["/sys/bus/pci/devices/".Length..].Split('/')[0]);
        if (path.StartsWith(MdevPrefix, StringComparison.Ordinal))
            return _functions.ContainsKey(path[MdevPrefix.Length..].Split('/')[0]);
        if (path.StartsWith("/sys/class/net/", StringComparison.Ordinal))
            return true;
        return false;
    }

    private const string MdevPrefix = "/sys/bus/mdev/devices/";

    public string? ReadLinkName(string path)
    {
        if (path.StartsWith(MdevPrefix, StringComparison.Ordinal))
            return MdevLink(path[MdevPrefix.Length..].Split('/'));
        const string prefix = "/sys/bus/pci/devices/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        string[] parts = path[prefix.Length..].Split('/');
        string name = parts[0];
        if (parts.Length < 2)
            return null;
        if (parts[1] == "driver")
        {
            if (Drivers.TryGetValue(name, out string? d))
                return d;
            return _functions.ContainsKey(name) ? "vfio-pci" : null;
        }
        if (parts[1] == "iommu_group" && ByName(name) is { } f)
            return f.Group.ToString();
        return null;
    }

    // An mdev directory: mdev_type, driver (its vendor driver) and iommu_group links.
    private string? MdevLink(string[] parts)
    {
        if (parts.Length < 2 || ByName(parts[0]) is not { } f || !MdevTypes.TryGetValue(f.Name, out string? type))
            return null;
        return parts[1] switch
        {
            "mdev_type" => type,
            "driver" => Drivers.TryGetValue(f.Name, out string? d) ? d : "mtty",
            "iommu_group" => f.Group.ToString(),
            _ => null,
        };
    }

    public IReadOnlyList<string> ListDirectory(string path)
    {
        if (path.StartsWith("/sys/kernel/iommu_groups/", StringComparison.Ordinal))
        {
            int group = int.Parse(path.Split('/')[4]);
            var names = _functions.Values.Where(f => f.Group == group).Select(f => f.Name).ToList();
            if (GroupMembers.TryGetValue(group, out var others))
            {
                foreach (var (n, d) in others)
                {
                    names.Add(n);
                    Drivers[n] = d;
                }
            }
            return names;
        }
        if (HasCdev && path.StartsWith("/sys/bus/pci/devices/", StringComparison.Ordinal) && path.EndsWith("/vfio-dev", StringComparison.Ordinal))
        {
            string name = path.Split('/')[5];
            int index = _functions.Keys.ToList().IndexOf(name);
            return index < 0 ? Array.Empty<string>() : new[] { "vfio" + index };
        }
        return Array.Empty<string>();
    }

    public int GetApiVersion(FileDescriptor container) => VfioConstants.ApiVersion;

    public bool CheckExtension(FileDescriptor container, uint extension) => extension == VfioConstants.Type1v2Iommu;

    public void SetIommu(FileDescriptor container, uint type)
    {
        if (type != VfioConstants.Type1v2Iommu)
            throw new PosixException("VFIO_SET_IOMMU", LibC.EINVAL);
        _iommuSet = true;
    }

    private int GroupOf(FileDescriptor group) => int.Parse(_fdPaths[group.Fd]["/dev/vfio/".Length..]);

    public uint GetGroupStatus(FileDescriptor group)
    {
        int number = GroupOf(group);
        uint flags = NonViableGroups.Contains(number) ? 0 : VfioGroupStatus.FlagViable;
        return flags | (_groupsWithContainer.Contains(number) ? VfioGroupStatus.FlagContainerSet : 0);
    }

    public void SetContainer(FileDescriptor group, FileDescriptor container) => _groupsWithContainer.Add(GroupOf(group));

    public void UnsetContainer(FileDescriptor group) => _groupsWithContainer.Remove(GroupOf(group));

    public int GroupsInContainers => _groupsWithContainer.Count;

    public FileDescriptor GetDeviceFd(FileDescriptor group, string deviceName)
    {
        if (!_iommuSet)
            throw new PosixException("VFIO_GROUP_GET_DEVICE_FD", LibC.EINVAL);
        // Like the kernel, a second fd for an open device is handed out (only BusyDevices refuse).
        if (BusyDevices.Contains(deviceName))
            throw new PosixException("VFIO_GROUP_GET_DEVICE_FD", LibC.EBUSY);
        return HandDevice(ByName(deviceName) ?? throw new PosixException("VFIO_GROUP_GET_DEVICE_FD", LibC.ENOENT), "device:" + deviceName);
    }

    public void MapDma(FileDescriptor container, ulong hostAddress, ulong iova, ulong size, bool writable)
    {
        if (!_iommuSet)
            throw new PosixException("VFIO_IOMMU_MAP_DMA", LibC.EINVAL);
        if (LiveDma.Any(m => iova < m.Key + m.Value && m.Key < iova + size))
            throw new PosixException("VFIO_IOMMU_MAP_DMA", 17 /* EEXIST */);
        DmaMaps.Add((iova, hostAddress, size, writable));
        LiveDma[iova] = size;
    }

    public void UnmapDma(FileDescriptor container, ulong iova, ulong size)
    {
        // type1v2: an unmap must cover whole mappings.
        if (!LiveDma.TryGetValue(iova, out ulong mapped) || mapped != size)
            throw new PosixException("VFIO_IOMMU_UNMAP_DMA", LibC.EINVAL);
        DmaUnmaps.Add((iova, size));
        LiveDma.Remove(iova);
    }

    public uint BindIommufd(FileDescriptor device, FileDescriptor iommufd) => (uint)device.Fd;

    public void AttachIoas(FileDescriptor device, uint ioasId)
    {
    }

    public uint AllocateIoas(FileDescriptor iommufd) => (uint)++IoasAllocations;

    public void MapIoas(FileDescriptor iommufd, uint ioasId, ulong hostAddress, ulong iova, ulong size, bool writable)
    {
        DmaMaps.Add((iova, hostAddress, size, writable));
        LiveDma[iova] = size;
    }

    public void UnmapIoas(FileDescriptor iommufd, uint ioasId, ulong iova, ulong size)
    {
        DmaUnmaps.Add((iova, size));
        LiveDma.Remove(iova);
    }

    public void DestroyIommufdObject(FileDescriptor iommufd, uint id)
    {
    }

    public VfioDeviceInfo GetDeviceInfo(FileDescriptor device) => new()
    {
        Argsz = (uint)sizeof(VfioDeviceInfo),
        Flags = DeviceOf(device).DeviceFlags,
        NumRegions = 9,
        NumIrqs = 5,
    };

    public byte[] GetRegionInfo(FileDescriptor device, uint index)
    {
        FakePciFunction f = DeviceOf(device);
        ulong size = index < 7 ? f.BarSizes[index] : index == VfioConstants.PciConfigRegionIndex ? 256UL : 0;
        uint flags = size == 0 ? 0 : VfioRegionInfo.FlagRead | VfioRegionInfo.FlagWrite;
        bool sparse = index == 0 && !f.OmitSparseCapability;
        if (index < 6 && size >= 0x1000 && (f.InitialConfig[0x10 + index * 4] & 1) == 0)
            flags |= VfioRegionInfo.FlagMmap;
        int header = sizeof(VfioRegionInfo);
        int capSize = sparse ? sizeof(VfioRegionInfoCapSparseMmap) + f.Bar0SparseAreas.Count * sizeof(VfioRegionSparseMmapArea) : 0;
        byte[] buffer = new byte[header + capSize];
        var info = new VfioRegionInfo
        {
            Argsz = (uint)buffer.Length,
            Flags = flags | (sparse ? VfioRegionInfo.FlagCaps : 0),
            Index = index,
            CapOffset = sparse ? (uint)header : 0,
            Size = size,
            Offset = (ulong)FakePciFunction.RegionOffset(index),
        };
        MemoryMarshal.Write(buffer, in info);
        if (sparse)
        {
            var cap = new VfioRegionInfoCapSparseMmap
            {
                Header = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapSparseMmap, Version = 1, Next = 0 },
                NrAreas = (uint)f.Bar0SparseAreas.Count,
            };
            MemoryMarshal.Write(buffer.AsSpan(header), in cap);
            for (int i = 0; i < f.Bar0SparseAreas.Count; i++)
            {
                var area = new VfioRegionSparseMmapArea { Offset = f.Bar0SparseAreas[i].Offset, Size = f.Bar0SparseAreas[i].Size };
                MemoryMarshal.Write(buffer.AsSpan(header + sizeof(VfioRegionInfoCapSparseMmap) + i * sizeof(VfioRegionSparseMmapArea)), in area);
            }
        }
        return buffer;
    }

    /// <summary>IRQ indexes whose VFIO_DEVICE_GET_IRQ_INFO fails with EINVAL (mtty refuses MSI-X's).</summary>
    public HashSet<uint> RefusedIrqIndexes { get; } = new();

    public VfioIrqInfo GetIrqInfo(FileDescriptor device, uint index)
    {
        if (RefusedIrqIndexes.Contains(index))
            throw new PosixException("VFIO_DEVICE_GET_IRQ_INFO", LibC.EINVAL);
        FakePciFunction f = DeviceOf(device);
        uint count = index switch { 0 => 1, 1 => f.MsiCount, 2 => f.MsixCount, _ => 0 };
        return new VfioIrqInfo { Argsz = (uint)sizeof(VfioIrqInfo), Flags = count > 0 ? VfioIrqInfo.FlagEventfd : 0, Index = index, Count = count };
    }

    /// <summary>INTx unmask eventfds are refused with ENOTTY, as mtty does.</summary>
    public bool RefusesUnmaskEventfd { get; set; }

    public void SetIrqEventFds(FileDescriptor device, uint index, uint action, uint start, ReadOnlySpan<EventFd> eventFds)
    {
        if (RefusesUnmaskEventfd && action == VfioIrqSet.ActionUnmask)
            throw new PosixException("VFIO_DEVICE_SET_IRQS", LibC.ENOTTY);
        int[] numbers = new int[eventFds.Length];
        for (int i = 0; i < numbers.Length; i++)
        {
            using FileDescriptorLease lease = eventFds[i].Handle.Lease();
            numbers[i] = lease.Fd;
        }
        IrqSets.Add((index, action, start, numbers));
    }

    public void SetIrqsNone(FileDescriptor device, uint index, uint action, uint start, uint count) =>
        IrqSets.Add((index, action | VfioIrqSet.DataNone, start, Array.Empty<int>()));

    public void ResetDevice(FileDescriptor device)
    {
        Resets++;
        DeviceOf(device).Migration?.Reset();
    }

    public List<(ulong Iova, ulong Size)> DirtyBitmapRequests { get; } = new();

    public bool DirtyTracking { get; private set; }

    /// <summary>Pages (by IOVA) the fake's devices wrote since the last bitmap.</summary>
    public HashSet<ulong> DeviceDirtied { get; } = new();

    private FakeMigrationDevice MigrationOf(FileDescriptor device) =>
        DeviceOf(device).Migration ?? throw new PosixException("VFIO_DEVICE_FEATURE", LibC.ENOTTY);

    public ulong? GetMigrationFlags(FileDescriptor device) => DeviceOf(device).Migration?.Flags;

    public FileDescriptor? SetMigrationState(FileDescriptor device, VfioMigrationState state) =>
        MigrationOf(device).Set(state, () => Hand(Token(), "migration-data"));

    public VfioMigrationState GetMigrationState(FileDescriptor device) => MigrationOf(device).Current;

    public ulong? GetStopCopySize(FileDescriptor device) => (ulong?)DeviceOf(device).Migration?.State.Length;

    public (ulong Initial, ulong Dirty) GetPrecopyInfo(FileDescriptor dataFd) => MigrationByData(dataFd).PrecopyInfo();

    private FakeMigrationDevice MigrationByData(FileDescriptor dataFd) =>
        _functions.Values.Select(f => f.Migration).FirstOrDefault(m => m?.DataFd == dataFd)
        ?? throw new PosixException("read", 9 /* EBADF */);

    public int ReadData(FileDescriptor dataFd, Span<byte> buffer) => MigrationByData(dataFd).Read(dataFd, buffer);

    public int WriteData(FileDescriptor dataFd, ReadOnlySpan<byte> data) => MigrationByData(dataFd).Write(dataFd, data);

    public void SetDirtyPageTracking(FileDescriptor container, bool start) => DirtyTracking = start;

    public void GetDirtyBitmap(FileDescriptor container, ulong iova, ulong size, ulong pageSize, ulong[] bitmap)
    {
        if (!DirtyTracking)
            throw new PosixException("VFIO_IOMMU_DIRTY_PAGES", LibC.EINVAL);
        DirtyBitmapRequests.Add((iova, size));
        Array.Clear(bitmap);
        foreach (ulong page in DeviceDirtied.Where(p => p >= iova && p < iova + size).ToArray())
        {
            ulong n = (page - iova) / pageSize;
            bitmap[n / 64] |= 1UL << (int)(n % 64);
            DeviceDirtied.Remove(page);
        }
    }

    public int Read(FileDescriptor device, Span<byte> data, long offset)
    {
        if (offset >= FakePciFunction.RegionOffset(VfioConstants.PciConfigRegionIndex))
            ConfigReads++;
        return LinuxVfioSystem.Instance.Read(device, data, offset);
    }

    public int Write(FileDescriptor device, ReadOnlySpan<byte> data, long offset) => LinuxVfioSystem.Instance.Write(device, data, offset);

    public MemoryMapping Map(FileDescriptor device, ulong offset, ulong size, bool writable, string what) =>
        LinuxVfioSystem.Instance.Map(device, offset, size, writable, what);

    /// <summary>The eventfd numbers last given for <paramref name="index"/> with TRIGGER (empty after a disable).</summary>
    public int[] CurrentTriggers(uint index)
    {
        for (int i = IrqSets.Count - 1; i >= 0; i--)
        {
            var s = IrqSets[i];
            if (s.Index == index && (s.Action & VfioIrqSet.ActionTrigger) != 0)
                return s.Fds;
        }
        return Array.Empty<int>();
    }

    public void Dispose()
    {
        foreach (FileDescriptor fd in _handedOut)
            fd.Dispose();
    }

    internal static uint Le32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32LittleEndian(b);
}
