using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct iommu_destroy (IOMMU_DESTROY): frees an object (e.g. an IOAS) of an iommufd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IommuDestroy
{
    public uint Size;
    public uint Id;
}
