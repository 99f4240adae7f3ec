using Emu.Core.Memory;

namespace Emu.Devices.Vfio;

/// <summary>
/// The pages devices in an IOMMU domain wrote by DMA, as the IOMMU backend
/// can report them (the type1 container's VFIO_IOMMU_DIRTY_PAGES). Starts and
/// stops are counted: devices sharing a domain share its log.
/// </summary>
internal interface IVfioDirtyTracking
{
    void Start();

    /// <summary>Merges the pages written since the last call into <paramref name="log"/> (IOVA = guest-physical address).</summary>
    void Collect(DirtyPageLog log);

    void Stop();
}
