using Emu.Core.Machines;
using Emu.Core.Posix;
using Microsoft.Extensions.Logging;

namespace Emu.Devices.Vfio;

/// <summary>
/// An open iommufd with one IOAS that a DMA listener keeps equal to guest RAM.
/// Devices attach to the IOAS (VFIO_DEVICE_ATTACH_IOMMUFD_PT); the listener is
/// registered once the first device is attached, because the kernel only
/// knows which IOMMU (and page sizes) to use from then on.
/// </summary>
internal sealed class IommufdDomain : IVfioDmaMapper, IDisposable
{
    private readonly IVfioSystem _system;
    private readonly VfioDmaListener _listener;
    private bool _listening;
    private bool _disposed;

    public IommufdDomain(IVfioSystem system, FileDescriptor handle, Machine machine, ILogger logger)
    {
        _system = system;
        Handle = handle;
        Machine = machine;
        IoasId = system.AllocateIoas(handle);
        _listener = new VfioDmaListener(this, logger);
    }

    public FileDescriptor Handle { get; }

    public uint IoasId { get; }

    public Machine Machine { get; }

    public VfioDmaListener Listener => _listener;

    /// <summary>Starts mirroring guest RAM into the IOAS (idempotent).</summary>
    public void StartListening()
    {
        if (_listening)
            return;
        Machine.SystemMemory.AddListener(_listener);
        _listening = true;
    }

    public void Map(ulong iova, ulong hostAddress, ulong size, bool writable) => _system.MapIoas(Handle, IoasId, hostAddress, iova, size, writable);

    public void Unmap(ulong iova, ulong size) => _system.UnmapIoas(Handle, IoasId, iova, size);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_listening)
            Machine.SystemMemory.RemoveListener(_listener);
        _listening = false;
        // Closing the iommufd frees the IOAS and every mapping in it.
        Handle.Dispose();
    }
}
