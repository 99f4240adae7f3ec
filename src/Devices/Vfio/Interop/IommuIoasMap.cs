using System.Runtime.InteropServices;

namespace Emu.Devices.Vfio.Interop;

/// <summary>struct iommu_ioas_map (IOMMU_IOAS_MAP): map [user_va, +length) at a fixed IOVA of an IOAS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IommuIoasMap
{
    public uint Size;
    public uint Flags;
    public uint IoasId;
    public uint Reserved;
    public ulong UserVa;
    public ulong Length;
    public ulong Iova;

    /// <summary>IOMMU_IOAS_MAP_FIXED_IOVA: use <see cref="Iova"/> rather than letting the kernel choose.</summary>
    public const uint FlagFixedIova = 1 << 0;
    public const uint FlagWriteable = 1 << 1;
    public const uint FlagReadable = 1 << 2;
}
