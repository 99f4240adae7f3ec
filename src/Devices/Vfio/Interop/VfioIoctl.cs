namespace Emu.Devices.Vfio.Interop;

/// <summary>
/// The request numbers of the VFIO (&lt;linux/vfio.h&gt;) and iommufd
/// (&lt;linux/iommufd.h&gt;) ioctls this VMM issues. Both families are
/// encoded as _IO(';', nr): no size or direction bits, because every argument
/// struct starts with its own argsz/size field that the kernel checks instead.
/// </summary>
internal static class VfioIoctl
{
    private const uint Type = ';';
    private const uint VfioBase = 100;
    private const uint IommufdBase = 0x80;

    // Container (/dev/vfio/vfio).
    public static readonly nuint GetApiVersion = Io(VfioBase + 0);
    public static readonly nuint CheckExtension = Io(VfioBase + 1);
    public static readonly nuint SetIommu = Io(VfioBase + 2);

    // Group (/dev/vfio/N).
    public static readonly nuint GroupGetStatus = Io(VfioBase + 3);
    public static readonly nuint GroupSetContainer = Io(VfioBase + 4);
    public static readonly nuint GroupUnsetContainer = Io(VfioBase + 5);
    public static readonly nuint GroupGetDeviceFd = Io(VfioBase + 6);

    // Device.
    public static readonly nuint DeviceGetInfo = Io(VfioBase + 7);
    public static readonly nuint DeviceGetRegionInfo = Io(VfioBase + 8);
    public static readonly nuint DeviceGetIrqInfo = Io(VfioBase + 9);
    public static readonly nuint DeviceSetIrqs = Io(VfioBase + 10);
    public static readonly nuint DeviceReset = Io(VfioBase + 11);

    /// <summary>VFIO_DEVICE_FEATURE (struct vfio_device_feature + data).</summary>
    public static readonly nuint DeviceFeature = Io(VfioBase + 17);

    /// <summary>VFIO_MIG_GET_PRECOPY_INFO, on a migration data fd.</summary>
    public static readonly nuint MigGetPrecopyInfo = Io(VfioBase + 21);

    // Type1 IOMMU (on the container).
    public static readonly nuint IommuMapDma = Io(VfioBase + 13);
    public static readonly nuint IommuUnmapDma = Io(VfioBase + 14);

    /// <summary>VFIO_IOMMU_DIRTY_PAGES (the same number as VFIO_DEVICE_FEATURE, on the container).</summary>
    public static readonly nuint IommuDirtyPages = Io(VfioBase + 17);

    // Device cdev (/dev/vfio/devices/vfioN, Linux 6.6+).
    public static readonly nuint DeviceBindIommufd = Io(VfioBase + 18);
    public static readonly nuint DeviceAttachIommufdPt = Io(VfioBase + 19);
    public static readonly nuint DeviceDetachIommufdPt = Io(VfioBase + 20);

    // iommufd (/dev/iommu).
    public static readonly nuint IommuDestroy = Io(IommufdBase + 0x00);
    public static readonly nuint IommuIoasAlloc = Io(IommufdBase + 0x01);
    public static readonly nuint IommuIoasMap = Io(IommufdBase + 0x05);
    public static readonly nuint IommuIoasUnmap = Io(IommufdBase + 0x06);

    private static nuint Io(uint nr) => (nuint)((Type << 8) | nr);
}
