namespace Emu.Devices.Vfio;

/// <summary>
/// An IOMMU domain devices do DMA through: a type1 container, or an iommufd
/// IOAS. IOVAs are guest-physical addresses (no vIOMMU): the device sees guest
/// RAM where the guest put it.
/// </summary>
internal interface IVfioDmaMapper
{
    void Map(ulong iova, ulong hostAddress, ulong size, bool writable);

    void Unmap(ulong iova, ulong size);
}
