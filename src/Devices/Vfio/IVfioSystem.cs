using Emu.Core.Posix;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Vfio;

/// <summary>
/// Every system call the VFIO subsystem makes: files and sysfs, the container
/// and group ioctls, the device cdev and iommufd ioctls, region I/O and mmap.
/// <see cref="LinuxVfioSystem"/> is the kernel; tests substitute a simulated
/// device so the logic above (viability, capability chains, config
/// virtualization, BAR layout, DMA bookkeeping) runs without one. Failures
/// throw <see cref="PosixException"/> naming the operation and errno, except
/// the region I/O calls, which return the errno so the hot path never throws.
/// </summary>
internal interface IVfioSystem
{
    /// <summary>open(2) with O_CLOEXEC added.</summary>
    FileDescriptor Open(string path, int flags);

    bool Exists(string path);

    /// <summary>The last path component of a symlink's target (sysfs "driver", "iommu_group"), or null when it is not a link.</summary>
    string? ReadLinkName(string path);

    /// <summary>Entry names of a directory, or empty when it does not exist.</summary>
    IReadOnlyList<string> ListDirectory(string path);

    int GetApiVersion(FileDescriptor container);

    bool CheckExtension(FileDescriptor container, uint extension);

    void SetIommu(FileDescriptor container, uint type);

    uint GetGroupStatus(FileDescriptor group);

    void SetContainer(FileDescriptor group, FileDescriptor container);

    void UnsetContainer(FileDescriptor group);

    FileDescriptor GetDeviceFd(FileDescriptor group, string deviceName);

    void MapDma(FileDescriptor container, ulong hostAddress, ulong iova, ulong size, bool writable);

    void UnmapDma(FileDescriptor container, ulong iova, ulong size);

    /// <summary>VFIO_DEVICE_BIND_IOMMUFD; returns the device id inside the iommufd.</summary>
    uint BindIommufd(FileDescriptor device, FileDescriptor iommufd);

    void AttachIoas(FileDescriptor device, uint ioasId);

    uint AllocateIoas(FileDescriptor iommufd);

    void MapIoas(FileDescriptor iommufd, uint ioasId, ulong hostAddress, ulong iova, ulong size, bool writable);

    void UnmapIoas(FileDescriptor iommufd, uint ioasId, ulong iova, ulong size);

    void DestroyIommufdObject(FileDescriptor iommufd, uint id);

    VfioDeviceInfo GetDeviceInfo(FileDescriptor device);

    /// <summary>The region's vfio_region_info followed by its capability chain, as one buffer.</summary>
    byte[] GetRegionInfo(FileDescriptor device, uint index);

    VfioIrqInfo GetIrqInfo(FileDescriptor device, uint index);

    /// <summary>
    /// VFIO_DEVICE_SET_IRQS with DATA_EVENTFD: <paramref name="eventFds"/>[i]
    /// becomes the eventfd of interrupt <paramref name="start"/>+i for
    /// <paramref name="action"/> (trigger or unmask); -1 tears one down.
    /// </summary>
    void SetIrqEventFds(FileDescriptor device, uint index, uint action, uint start, ReadOnlySpan<EventFd> eventFds);

    /// <summary>VFIO_DEVICE_SET_IRQS with DATA_NONE: for TRIGGER with count 0, disables the whole index; for UNMASK/MASK, acts on [start, +count).</summary>
    void SetIrqsNone(FileDescriptor device, uint index, uint action, uint start, uint count);

    void ResetDevice(FileDescriptor device);

    /// <summary>pread of the whole span; 0 on success, otherwise the errno. Allocation-free.</summary>
    int Read(FileDescriptor device, Span<byte> data, long offset);

    /// <summary>pwrite of the whole span; 0 on success, otherwise the errno. Allocation-free.</summary>
    int Write(FileDescriptor device, ReadOnlySpan<byte> data, long offset);

    /// <summary>
    /// VFIO_DEVICE_FEATURE GET of VFIO_DEVICE_FEATURE_MIGRATION: the device's
    /// migration flags (VfioDeviceFeatureMigration), or null when the device
    /// (or the kernel, before 5.18) has no migration support.
    /// </summary>
    ulong? GetMigrationFlags(FileDescriptor device);

    /// <summary>
    /// VFIO_DEVICE_FEATURE SET of VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE: moves the
    /// device to <paramref name="state"/> (the kernel takes the intermediate
    /// steps); returns the new data fd, or null when the state has none or
    /// keeps the one it had (PRE_COPY into STOP_COPY).
    /// </summary>
    FileDescriptor? SetMigrationState(FileDescriptor device, VfioMigrationState state);

    /// <summary>VFIO_DEVICE_FEATURE GET of VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE.</summary>
    VfioMigrationState GetMigrationState(FileDescriptor device);

    /// <summary>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE: the device's estimate of its stop-copy data, or null when it gives none.</summary>
    ulong? GetStopCopySize(FileDescriptor device);

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO on a PRE_COPY data fd: (initial, dirty) bytes.</summary>
    (ulong Initial, ulong Dirty) GetPrecopyInfo(FileDescriptor dataFd);

    /// <summary>One read(2) of a data fd: the bytes read (0 at the end of data), or minus the errno.</summary>
    int ReadData(FileDescriptor dataFd, Span<byte> buffer);

    /// <summary>One write(2) to a data fd: the bytes written, or minus the errno.</summary>
    int WriteData(FileDescriptor dataFd, ReadOnlySpan<byte> data);

    /// <summary>VFIO_IOMMU_DIRTY_PAGES START or STOP on a type1 container.</summary>
    void SetDirtyPageTracking(FileDescriptor container, bool start);

    /// <summary>
    /// VFIO_IOMMU_DIRTY_PAGES GET_BITMAP for one mapping [iova, +size): bit n of
    /// <paramref name="bitmap"/> is page n (of <paramref name="pageSize"/> bytes);
    /// the kernel clears what it reports.
    /// </summary>
    void GetDirtyBitmap(FileDescriptor container, ulong iova, ulong size, ulong pageSize, ulong[] bitmap);

    /// <summary>mmap(MAP_SHARED) of [offset, +size) of the device fd.</summary>
    MemoryMapping Map(FileDescriptor device, ulong offset, ulong size, bool writable, string what);
}
