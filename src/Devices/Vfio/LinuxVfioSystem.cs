using System.Runtime.InteropServices;
using System.Text;
using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>The kernel behind <see cref="IVfioSystem"/>: one typed wrapper per ioctl.</summary>
internal sealed unsafe partial class LinuxVfioSystem : IVfioSystem
{
    public static LinuxVfioSystem Instance { get; } = new();

    public FileDescriptor Open(string path, int flags) => Sys.Open(path, flags);

    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget != null;

    public string? ReadLinkName(string path)
    {
        string? target = new FileInfo(path).LinkTarget;
        return target == null ? null : Path.GetFileName(target.TrimEnd('/'));
    }

    public IReadOnlyList<string> ListDirectory(string path)
    {
        if (!Directory.Exists(path))
            return Array.Empty<string>();
        return Directory.EnumerateFileSystemEntries(path).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
    }

    public int GetApiVersion(FileDescriptor container) => Check(LibC.ioctl(container, VfioIoctl.GetApiVersion, 0), "VFIO_GET_API_VERSION");

    public bool CheckExtension(FileDescriptor container, uint extension) => LibC.ioctl(container, VfioIoctl.CheckExtension, (nint)extension) > 0;

    public void SetIommu(FileDescriptor container, uint type) => Check(LibC.ioctl(container, VfioIoctl.SetIommu, (nint)type), "VFIO_SET_IOMMU");

    public uint GetGroupStatus(FileDescriptor group)
    {
        var status = new VfioGroupStatus { Argsz = (uint)sizeof(VfioGroupStatus) };
        Check(LibC.ioctl(group, VfioIoctl.GroupGetStatus, &status), "VFIO_GROUP_GET_STATUS");
        return status.Flags;
    }

    public void SetContainer(FileDescriptor group, FileDescriptor container)
    {
        using FileDescriptorLease lease = container.Lease();
        int fd = lease.Fd;
        Check(LibC.ioctl(group, VfioIoctl.GroupSetContainer, &fd), "VFIO_GROUP_SET_CONTAINER");
    }

    public void UnsetContainer(FileDescriptor group) => Check(LibC.ioctl(group, VfioIoctl.GroupUnsetContainer, 0), "VFIO_GROUP_UNSET_CONTAINER");

    public FileDescriptor GetDeviceFd(FileDescriptor group, string deviceName)
    {
        byte[] name = Encoding.ASCII.GetBytes(deviceName + "\0");
        fixed (byte* p = name)
            return new FileDescriptor(Check(LibC.ioctl(group, VfioIoctl.GroupGetDeviceFd, p), "VFIO_GROUP_GET_DEVICE_FD"));
    }

    public void MapDma(FileDescriptor container, ulong hostAddress, ulong iova, ulong size, bool writable)
    {
        var map = new VfioIommuType1DmaMap
        {
            Argsz = (uint)sizeof(VfioIommuType1DmaMap),
            Flags = VfioIommuType1DmaMap.FlagRead | (writable ? VfioIommuType1DmaMap.FlagWrite : 0),
            Vaddr = hostAddress,
            Iova = iova,
            Size = size,
        };
        Check(LibC.ioctl(container, VfioIoctl.IommuMapDma, &map), "VFIO_IOMMU_MAP_DMA");
    }

    public void UnmapDma(FileDescriptor container, ulong iova, ulong size)
    {
        var unmap = new VfioIommuType1DmaUnmap { Argsz = (uint)sizeof(VfioIommuType1DmaUnmap), Iova = iova, Size = size };
        Check(LibC.ioctl(container, VfioIoctl.IommuUnmapDma, &unmap), "VFIO_IOMMU_UNMAP_DMA");
    }

    public uint BindIommufd(FileDescriptor device, FileDescriptor iommufd)
    {
        using FileDescriptorLease lease = iommufd.Lease();
        var bind = new VfioDeviceBindIommufd { Argsz = (uint)sizeof(VfioDeviceBindIommufd), Iommufd = lease.Fd };
        Check(LibC.ioctl(device, VfioIoctl.DeviceBindIommufd, &bind), "VFIO_DEVICE_BIND_IOMMUFD");
        return bind.OutDevid;
    }

    public void AttachIoas(FileDescriptor device, uint ioasId)
    {
        var attach = new VfioDeviceAttachIommufdPt { Argsz = (uint)sizeof(VfioDeviceAttachIommufdPt), PtId = ioasId };
        Check(LibC.ioctl(device, VfioIoctl.DeviceAttachIommufdPt, &attach), "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
    }

    public uint AllocateIoas(FileDescriptor iommufd)
    {
        var alloc = new IommuIoasAlloc { Size = (uint)sizeof(IommuIoasAlloc) };
        Check(LibC.ioctl(iommufd, VfioIoctl.IommuIoasAlloc, &alloc), "IOMMU_IOAS_ALLOC");
        return alloc.OutIoasId;
    }

    public void MapIoas(FileDescriptor iommufd, uint ioasId, ulong hostAddress, ulong iova, ulong size, bool writable)
    {
        var map = new IommuIoasMap
        {
            Size = (uint)sizeof(IommuIoasMap),
            Flags = IommuIoasMap.FlagFixedIova | IommuIoasMap.FlagReadable | (writable ? IommuIoasMap.FlagWriteable : 0),
            IoasId = ioasId,
            UserVa = hostAddress,
            Length = size,
            Iova = iova,
        };
        Check(LibC.ioctl(iommufd, VfioIoctl.IommuIoasMap, &map), "IOMMU_IOAS_MAP");
    }

    public void UnmapIoas(FileDescriptor iommufd, uint ioasId, ulong iova, ulong size)
    {
        var unmap = new IommuIoasUnmap { Size = (uint)sizeof(IommuIoasUnmap), IoasId = ioasId, Iova = iova, Length = size };
        Check(LibC.ioctl(iommufd, VfioIoctl.IommuIoasUnmap, &unmap), "IOMMU_IOAS_UNMAP");
    }

    public void DestroyIommufdObject(FileDescriptor iommufd, uint id)
    {
        var destroy = new IommuDestroy { Size = (uint)sizeof(IommuDestroy), Id = id };
        Check(LibC.ioctl(iommufd, VfioIoctl.IommuDestroy, &destroy), "IOMMU_DESTROY");
    }

    public VfioDeviceInfo GetDeviceInfo(FileDescriptor device)
    {
        var info = new VfioDeviceInfo { Argsz = (uint)sizeof(VfioDeviceInfo) };
        Check(LibC.ioctl(device, VfioIoctl.DeviceGetInfo, &info), "VFIO_DEVICE_GET_INFO");
        return info;
    }

    public byte[] GetRegionInfo(FileDescriptor device, uint index)
    {
        // First with room for the fixed part only; the kernel raises argsz
        // when a capability chain follows, and the call is repeated with that much.
        uint size = (uint)sizeof(VfioRegionInfo);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            byte[] buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                var info = (VfioRegionInfo*)p;
                info->Argsz = size;
                info->Index = index;
                Check(LibC.ioctl(device, VfioIoctl.DeviceGetRegionInfo, p), "VFIO_DEVICE_GET_REGION_INFO");
                if (info->Argsz <= size)
                    return buffer;
                size = Math.Min(info->Argsz, 1u << 20);
            }
        }
        throw new PosixException("VFIO_DEVICE_GET_REGION_INFO", LibC.EINVAL, $"region {index} capability chain keeps growing");
    }

    public VfioIrqInfo GetIrqInfo(FileDescriptor device, uint index)
    {
        var info = new VfioIrqInfo { Argsz = (uint)sizeof(VfioIrqInfo), Index = index };
        Check(LibC.ioctl(device, VfioIoctl.DeviceGetIrqInfo, &info), "VFIO_DEVICE_GET_IRQ_INFO");
        return info;
    }

    public void SetIrqEventFds(FileDescriptor device, uint index, uint action, uint start, ReadOnlySpan<EventFd> eventFds)
    {
        int size = sizeof(VfioIrqSet) + eventFds.Length * sizeof(int);
        byte* buffer = stackalloc byte[Math.Min(size, 1024)];
        byte[]? large = size > 1024 ? new byte[size] : null;
        // The eventfds' numbers travel inside the structure: each is held open until the ioctl returns.
        bool[] held = new bool[eventFds.Length];
        try
        {
            fixed (byte* heap = large)
            {
                byte* p = large != null ? heap : buffer;
                var set = (VfioIrqSet*)p;
                *set = new VfioIrqSet
                {
                    Argsz = (uint)size,
                    Flags = VfioIrqSet.DataEventfd | action,
                    Index = index,
                    Start = start,
                    Count = (uint)eventFds.Length,
                };
                var numbers = new Span<int>(p + sizeof(VfioIrqSet), eventFds.Length);
                for (int i = 0; i < eventFds.Length; i++)
                {
                    eventFds[i].Handle.DangerousAddRef(ref held[i]);
                    numbers[i] = (int)eventFds[i].Handle.DangerousGetHandle();
                }
                Check(LibC.ioctl(device, VfioIoctl.DeviceSetIrqs, p), "VFIO_DEVICE_SET_IRQS");
            }
        }
        finally
        {
            for (int i = 0; i < held.Length; i++)
            {
                if (held[i])
                    eventFds[i].Handle.DangerousRelease();
            }
        }
    }

    public void SetIrqsNone(FileDescriptor device, uint index, uint action, uint start, uint count)
    {
        var set = new VfioIrqSet { Argsz = (uint)sizeof(VfioIrqSet), Flags = VfioIrqSet.DataNone | action, Index = index, Start = start, Count = count };
        Check(LibC.ioctl(device, VfioIoctl.DeviceSetIrqs, &set), "VFIO_DEVICE_SET_IRQS");
    }

    public void ResetDevice(FileDescriptor device) => Check(LibC.ioctl(device, VfioIoctl.DeviceReset, 0), "VFIO_DEVICE_RESET");

    public int Read(FileDescriptor device, Span<byte> data, long offset)
    {
        fixed (byte* p = data)
            return Transfer(device, p, data.Length, offset, write: false);
    }

    public int Write(FileDescriptor device, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* p = data)
            return Transfer(device, p, data.Length, offset, write: true);
    }

    // pread/pwrite of a region of the device fd until all bytes are moved: 0, or the errno
    // (EINVAL when the region ends early). EINTR and short transfers are retried (FileIo).
    private static int Transfer(FileDescriptor fd, byte* p, int length, long offset, bool write)
    {
        int result = FileIo.Transfer(fd, write ? FileIo.PositionalWrite : FileIo.PositionalRead, p, length, offset, out _);
        return result == FileIo.EndOfFile ? LibC.EINVAL : result;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint SysRead(FileDescriptor fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint SysWrite(FileDescriptor fd, byte* buffer, nint count);

    // VFIO_DEVICE_FEATURE with the feature's struct after the header: 0, or the errno.
    private static int Feature<T>(FileDescriptor device, uint flags, ref T data) where T : unmanaged
    {
        int size = sizeof(VfioDeviceFeature) + sizeof(T);
        byte* buffer = stackalloc byte[size];
        *(VfioDeviceFeature*)buffer = new VfioDeviceFeature { Argsz = (uint)size, Flags = flags };
        *(T*)(buffer + sizeof(VfioDeviceFeature)) = data;
        if (LibC.ioctl(device, VfioIoctl.DeviceFeature, buffer) < 0)
            return Marshal.GetLastPInvokeError();
        data = *(T*)(buffer + sizeof(VfioDeviceFeature));
        return 0;
    }

    public ulong? GetMigrationFlags(FileDescriptor device)
    {
        var migration = new VfioDeviceFeatureMigration();
        int errno = Feature(device, VfioDeviceFeature.FlagGet | VfioDeviceFeature.Migration, ref migration);
        // ENOTTY: no VFIO_DEVICE_FEATURE (before 5.18) or no migration ops; EINVAL/EOPNOTSUPP: the feature is unknown.
        if (errno is LibC.ENOTTY or LibC.EINVAL or LibC.EOPNOTSUPP)
            return null;
        if (errno != 0)
            throw new PosixException("VFIO_DEVICE_FEATURE_MIGRATION", errno);
        return migration.Flags;
    }

    public FileDescriptor? SetMigrationState(FileDescriptor device, VfioMigrationState state)
    {
        var mig = new VfioDeviceFeatureMigState { DeviceState = (uint)state, DataFd = -1 };
        int errno = Feature(device, VfioDeviceFeature.FlagSet | VfioDeviceFeature.MigDeviceState, ref mig);
        if (errno != 0)
            throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", errno, state.ToString());
        return mig.DataFd >= 0 ? new FileDescriptor(mig.DataFd) : null;
    }

    public VfioMigrationState GetMigrationState(FileDescriptor device)
    {
        var mig = new VfioDeviceFeatureMigState { DataFd = -1 };
        int errno = Feature(device, VfioDeviceFeature.FlagGet | VfioDeviceFeature.MigDeviceState, ref mig);
        if (errno != 0)
            throw new PosixException("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", errno);
        return (VfioMigrationState)mig.DeviceState;
    }

    public ulong? GetStopCopySize(FileDescriptor device)
    {
        var size = new VfioDeviceFeatureMigDataSize();
        return Feature(device, VfioDeviceFeature.FlagGet | VfioDeviceFeature.MigDataSize, ref size) == 0 ? size.StopCopyLength : null;
    }

    public (ulong Initial, ulong Dirty) GetPrecopyInfo(FileDescriptor dataFd)
    {
        var info = new VfioPrecopyInfo { Argsz = (uint)sizeof(VfioPrecopyInfo) };
        Check(LibC.ioctl(dataFd, VfioIoctl.MigGetPrecopyInfo, &info), "VFIO_MIG_GET_PRECOPY_INFO");
        return (info.InitialBytes, info.DirtyBytes);
    }

    public int ReadData(FileDescriptor dataFd, Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
                n = SysRead(dataFd, p, buffer.Length);
            if (n >= 0)
                return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                return -errno;
        }
    }

    public int WriteData(FileDescriptor dataFd, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = data)
                n = SysWrite(dataFd, p, data.Length);
            if (n >= 0)
                return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                return -errno;
        }
    }

    public void SetDirtyPageTracking(FileDescriptor container, bool start)
    {
        var dirty = new VfioIommuType1DirtyBitmap
        {
            Argsz = (uint)sizeof(VfioIommuType1DirtyBitmap),
            Flags = start ? VfioIommuType1DirtyBitmap.FlagStart : VfioIommuType1DirtyBitmap.FlagStop,
        };
        Check(LibC.ioctl(container, VfioIoctl.IommuDirtyPages, &dirty), "VFIO_IOMMU_DIRTY_PAGES");
    }

    public void GetDirtyBitmap(FileDescriptor container, ulong iova, ulong size, ulong pageSize, ulong[] bitmap)
    {
        int length = sizeof(VfioIommuType1DirtyBitmap) + sizeof(VfioIommuType1DirtyBitmapGet);
        byte* buffer = stackalloc byte[length];
        fixed (ulong* bits = bitmap)
        {
            *(VfioIommuType1DirtyBitmap*)buffer = new VfioIommuType1DirtyBitmap { Argsz = (uint)length, Flags = VfioIommuType1DirtyBitmap.FlagGetBitmap };
            *(VfioIommuType1DirtyBitmapGet*)(buffer + sizeof(VfioIommuType1DirtyBitmap)) = new VfioIommuType1DirtyBitmapGet
            {
                Iova = iova,
                Size = size,
                Bitmap = new VfioBitmap { PageSize = pageSize, Size = (ulong)bitmap.Length * 8, Data = (ulong)bits },
            };
            Check(LibC.ioctl(container, VfioIoctl.IommuDirtyPages, buffer), "VFIO_IOMMU_DIRTY_PAGES GET_BITMAP");
        }
    }

    public MemoryMapping Map(FileDescriptor device, ulong offset, ulong size, bool writable, string what) =>
        MemoryMapping.Map(device, size, LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0), LibC.MAP_SHARED, (long)offset, what);

    private static int Check(int result, string operation)
    {
        if (result < 0)
            Sys.Throw(operation);
        return result;
    }
}
