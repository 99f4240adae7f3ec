using Emu.Core.Posix;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// The fake kernel behind one lock: the kernel is thread-safe, the fake is
/// not, and a concurrency test must find the races of the code under test only.
/// </summary>
internal sealed class SerializedVfioSystem(IVfioSystem inner) : IVfioSystem
{
    private readonly object _lock = new();

    private T Locked<T>(Func<T> call)
    {
        lock (_lock)
            return call();
    }

    private void Locked(Action call)
    {
        lock (_lock)
            call();
    }

    public FileDescriptor Open(string path, int flags) => Locked(() => inner.Open(path, flags));

    public bool Exists(string path) => Locked(() => inner.Exists(path));

    public string? ReadLinkName(string path) => Locked(() => inner.ReadLinkName(path));

    public IReadOnlyList<string> ListDirectory(string path) => Locked(() => inner.ListDirectory(path));

    public int GetApiVersion(FileDescriptor container) => Locked(() => inner.GetApiVersion(container));

    public bool CheckExtension(FileDescriptor container, uint extension) => Locked(() => inner.CheckExtension(container, extension));

    public void SetIommu(FileDescriptor container, uint type) => Locked(() => inner.SetIommu(container, type));

    public uint GetGroupStatus(FileDescriptor group) => Locked(() => inner.GetGroupStatus(group));

    public void SetContainer(FileDescriptor group, FileDescriptor container) => Locked(() => inner.SetContainer(group, container));

    public void UnsetContainer(FileDescriptor group) => Locked(() => inner.UnsetContainer(group));

    public FileDescriptor GetDeviceFd(FileDescriptor group, string deviceName) => Locked(() => inner.GetDeviceFd(group, deviceName));

    public void MapDma(FileDescriptor container, ulong hostAddress, ulong iova, ulong size, bool writable) => Locked(() => inner.MapDma(container, hostAddress, iova, size, writable));

    public void UnmapDma(FileDescriptor container, ulong iova, ulong size) => Locked(() => inner.UnmapDma(container, iova, size));

    public uint BindIommufd(FileDescriptor device, FileDescriptor iommufd) => Locked(() => inner.BindIommufd(device, iommufd));

    public void AttachIoas(FileDescriptor device, uint ioasId) => Locked(() => inner.AttachIoas(device, ioasId));

    public uint AllocateIoas(FileDescriptor iommufd) => Locked(() => inner.AllocateIoas(iommufd));

    public void MapIoas(FileDescriptor iommufd, uint ioasId, ulong hostAddress, ulong iova, ulong size, bool writable) => Locked(() => inner.MapIoas(iommufd, ioasId, hostAddress, iova, size, writable));

    public void UnmapIoas(FileDescriptor iommufd, uint ioasId, ulong iova, ulong size) => Locked(() => inner.UnmapIoas(iommufd, ioasId, iova, size));

    public void DestroyIommufdObject(FileDescriptor iommufd, uint id) => Locked(() => inner.DestroyIommufdObject(iommufd, id));

    public VfioDeviceInfo GetDeviceInfo(FileDescriptor device) => Locked(() => inner.GetDeviceInfo(device));

    public byte[] GetRegionInfo(FileDescriptor device, uint index) => Locked(() => inner.GetRegionInfo(device, index));

    public VfioIrqInfo GetIrqInfo(FileDescriptor device, uint index) => Locked(() => inner.GetIrqInfo(device, index));

    public void SetIrqEventFds(FileDescriptor device, uint index, uint action, uint start, ReadOnlySpan<EventFd> eventFds)
    {
        EventFd[] fds = eventFds.ToArray();
        Locked(() => inner.SetIrqEventFds(device, index, action, start, fds));
    }

    public void SetIrqsNone(FileDescriptor device, uint index, uint action, uint start, uint count) => Locked(() => inner.SetIrqsNone(device, index, action, start, count));

    public void ResetDevice(FileDescriptor device) => Locked(() => inner.ResetDevice(device));

    public int Read(FileDescriptor device, Span<byte> data, long offset)
    {
        byte[] buffer = new byte[data.Length];
        int result = Locked(() => inner.Read(device, buffer, offset));
        buffer.CopyTo(data);
        return result;
    }

    public int Write(FileDescriptor device, ReadOnlySpan<byte> data, long offset)
    {
        byte[] buffer = data.ToArray();
        return Locked(() => inner.Write(device, buffer, offset));
    }

    public MemoryMapping Map(FileDescriptor device, ulong offset, ulong size, bool writable, string what) => Locked(() => inner.Map(device, offset, size, writable, what));

    public ulong? GetMigrationFlags(FileDescriptor device) => Locked(() => inner.GetMigrationFlags(device));

    public FileDescriptor? SetMigrationState(FileDescriptor device, VfioMigrationState state) => Locked(() => inner.SetMigrationState(device, state));

    public VfioMigrationState GetMigrationState(FileDescriptor device) => Locked(() => inner.GetMigrationState(device));

    public ulong? GetStopCopySize(FileDescriptor device) => Locked(() => inner.GetStopCopySize(device));

    public (ulong Initial, ulong Dirty) GetPrecopyInfo(FileDescriptor dataFd) => Locked(() => inner.GetPrecopyInfo(dataFd));

    public int ReadData(FileDescriptor dataFd, Span<byte> buffer)
    {
        lock (_lock)
            return inner.ReadData(dataFd, buffer);
    }

    public int WriteData(FileDescriptor dataFd, ReadOnlySpan<byte> data)
    {
        lock (_lock)
            return inner.WriteData(dataFd, data);
    }

    public void SetDirtyPageTracking(FileDescriptor container, bool start) => Locked(() => inner.SetDirtyPageTracking(container, start));

    public void GetDirtyBitmap(FileDescriptor container, ulong iova, ulong size, ulong pageSize, ulong[] bitmap) =>
        Locked(() => inner.GetDirtyBitmap(container, iova, size, pageSize, bitmap));
}
