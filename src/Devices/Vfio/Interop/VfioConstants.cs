namespace Emu.Devices.Vfio.Interop;

/// <summary>Numbers of the VFIO uAPI that are not ioctls or struct flags (&lt;linux/vfio.h&gt;).</summary>
internal static class VfioConstants
{
    /// <summary>VFIO_API_VERSION: the only version there has ever been.</summary>
    public const int ApiVersion = 0;

    /// <summary>VFIO_TYPE1v2_IOMMU: the x86 IOMMU model with strict unmap semantics.</summary>
    public const uint Type1v2Iommu = 3;

    // vfio-pci region indexes (enum VFIO_PCI_*_REGION_INDEX).
    public const uint PciBar0RegionIndex = 0;
    public const uint PciRomRegionIndex = 6;
    public const uint PciConfigRegionIndex = 7;

    // vfio-pci interrupt indexes (enum VFIO_PCI_*_IRQ_INDEX).
    public const uint PciIntxIrqIndex = 0;
    public const uint PciMsiIrqIndex = 1;
    public const uint PciMsixIrqIndex = 2;

    // Region info capability ids.
    public const ushort RegionInfoCapSparseMmap = 1;
    public const ushort RegionInfoCapType = 2;
    public const ushort RegionInfoCapMsixMappable = 3;
}
