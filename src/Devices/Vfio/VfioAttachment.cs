using Emu.Core.Posix;

namespace Emu.Devices.Vfio;

/// <summary>
/// A host device opened through one of the two IOMMU backends: its device fd,
/// the file KVM is told about (the group, or the device cdev), and how to undo
/// it all. Disposing closes the device fd and detaches it from its IOMMU domain.
/// </summary>
internal sealed class VfioAttachment : IDisposable
{
    private readonly Action _release;
    private bool _disposed;

    public VfioAttachment(FileDescriptor device, FileDescriptor kvmFile, string backend, Action release)
    {
        Device = device;
        KvmFile = kvmFile;
        Backend = backend;
        _release = release;
    }

    public FileDescriptor Device { get; }

    /// <summary>The group fd (container path) or the device fd (iommufd path).</summary>
    public FileDescriptor KvmFile { get; }

    /// <summary>The domain's log of device-written pages, null when the backend has none (iommufd here).</summary>
    public IVfioDirtyTracking? DirtyTracking { get; init; }

    /// <summary>"container" or "iommufd", for listings and logs.</summary>
    public string Backend { get; }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Device.Dispose();
        _release();
    }
}
