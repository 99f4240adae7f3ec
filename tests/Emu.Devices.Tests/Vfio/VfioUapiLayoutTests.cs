using System.Reflection;
using System.Runtime.InteropServices;
using Emu.Accel.Tests;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

/// <summary>
/// Every struct, ioctl number and constant the VFIO code declares, checked
/// against &lt;linux/vfio.h&gt; and &lt;linux/iommufd.h&gt; compiled by gcc. The
/// device cdev and iommufd parts exist only in Linux 6.6+ headers, so the
/// probe compiles against the 6.12 uAPI headers that
/// scripts/install-uapi-headers.sh unpacks (Debian's are 6.1).
/// </summary>
public sealed class VfioUapiLayoutTests
{
    private const string Headers = "/usr/local/share/emu/uapi/usr/include";

    private static readonly (string C, Type Cs, (string CField, string CsField)[] Fields)[] s_structs =
    {
        ("vfio_info_cap_header", typeof(VfioInfoCapHeader), new[] { ("id", "Id"), ("version", "Version"), ("next", "Next") }),
        ("vfio_group_status", typeof(VfioGroupStatus), new[] { ("argsz", "Argsz"), ("flags", "Flags") }),
        ("vfio_device_info", typeof(VfioDeviceInfo), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("num_regions", "NumRegions"), ("num_irqs", "NumIrqs"), ("cap_offset", "CapOffset"), ("pad", "Pad") }),
        ("vfio_region_info", typeof(VfioRegionInfo), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("index", "Index"), ("cap_offset", "CapOffset"), ("size", "Size"), ("offset", "Offset") }),
        ("vfio_region_sparse_mmap_area", typeof(VfioRegionSparseMmapArea), new[] { ("offset", "Offset"), ("size", "Size") }),
        ("vfio_region_info_cap_sparse_mmap", typeof(VfioRegionInfoCapSparseMmap), new[] { ("header", "Header"), ("nr_areas", "NrAreas"), ("reserved", "Reserved") }),
        ("vfio_irq_info", typeof(VfioIrqInfo), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("index", "Index"), ("count", "Count") }),
        ("vfio_irq_set", typeof(VfioIrqSet), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("index", "Index"), ("start", "Start"), ("count", "Count") }),
        ("vfio_iommu_type1_dma_map", typeof(VfioIommuType1DmaMap), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("vaddr", "Vaddr"), ("iova", "Iova"), ("size", "Size") }),
        ("vfio_iommu_type1_dma_unmap", typeof(VfioIommuType1DmaUnmap), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("iova", "Iova"), ("size", "Size") }),
        ("vfio_device_feature", typeof(VfioDeviceFeature), new[] { ("argsz", "Argsz"), ("flags", "Flags") }),
        ("vfio_device_feature_migration", typeof(VfioDeviceFeatureMigration), new[] { ("flags", "Flags") }),
        ("vfio_device_feature_mig_state", typeof(VfioDeviceFeatureMigState), new[] { ("device_state", "DeviceState"), ("data_fd", "DataFd") }),
        ("vfio_device_feature_mig_data_size", typeof(VfioDeviceFeatureMigDataSize), new[] { ("stop_copy_length", "StopCopyLength") }),
        ("vfio_precopy_info", typeof(VfioPrecopyInfo), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("initial_bytes", "InitialBytes"), ("dirty_bytes", "DirtyBytes") }),
        ("vfio_bitmap", typeof(VfioBitmap), new[] { ("pgsize", "PageSize"), ("size", "Size"), ("data", "Data") }),
        ("vfio_iommu_type1_dirty_bitmap", typeof(VfioIommuType1DirtyBitmap), new[] { ("argsz", "Argsz"), ("flags", "Flags") }),
        ("vfio_iommu_type1_dirty_bitmap_get", typeof(VfioIommuType1DirtyBitmapGet), new[] { ("iova", "Iova"), ("size", "Size"), ("bitmap", "Bitmap") }),
        ("vfio_device_bind_iommufd", typeof(VfioDeviceBindIommufd), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("iommufd", "Iommufd"), ("out_devid", "OutDevid") }),
        ("vfio_device_attach_iommufd_pt", typeof(VfioDeviceAttachIommufdPt), new[] { ("argsz", "Argsz"), ("flags", "Flags"), ("pt_id", "PtId") }),
        ("iommu_destroy", typeof(IommuDestroy), new[] { ("size", "Size"), ("id", "Id") }),
        ("iommu_ioas_alloc", typeof(IommuIoasAlloc), new[] { ("size", "Size"), ("flags", "Flags"), ("out_ioas_id", "OutIoasId") }),
        ("iommu_ioas_map", typeof(IommuIoasMap), new[] { ("size", "Size"), ("flags", "Flags"), ("ioas_id", "IoasId"), ("__reserved", "Reserved"), ("user_va", "UserVa"), ("length", "Length"), ("iova", "Iova") }),
        ("iommu_ioas_unmap", typeof(IommuIoasUnmap), new[] { ("size", "Size"), ("ioas_id", "IoasId"), ("iova", "Iova"), ("length", "Length") }),
    };

    private static readonly (string C, string Cs)[] s_ioctls =
    {
        ("VFIO_GET_API_VERSION", nameof(VfioIoctl.GetApiVersion)),
        ("VFIO_CHECK_EXTENSION", nameof(VfioIoctl.CheckExtension)),
        ("VFIO_SET_IOMMU", nameof(VfioIoctl.SetIommu)),
        ("VFIO_GROUP_GET_STATUS", nameof(VfioIoctl.GroupGetStatus)),
        ("VFIO_GROUP_SET_CONTAINER", nameof(VfioIoctl.GroupSetContainer)),
        ("VFIO_GROUP_UNSET_CONTAINER", nameof(VfioIoctl.GroupUnsetContainer)),
        ("VFIO_GROUP_GET_DEVICE_FD", nameof(VfioIoctl.GroupGetDeviceFd)),
        ("VFIO_DEVICE_GET_INFO", nameof(VfioIoctl.DeviceGetInfo)),
        ("VFIO_DEVICE_GET_REGION_INFO", nameof(VfioIoctl.DeviceGetRegionInfo)),
        ("VFIO_DEVICE_GET_IRQ_INFO", nameof(VfioIoctl.DeviceGetIrqInfo)),
        ("VFIO_DEVICE_SET_IRQS", nameof(VfioIoctl.DeviceSetIrqs)),
        ("VFIO_DEVICE_RESET", nameof(VfioIoctl.DeviceReset)),
        ("VFIO_IOMMU_MAP_DMA", nameof(VfioIoctl.IommuMapDma)),
        ("VFIO_IOMMU_UNMAP_DMA", nameof(VfioIoctl.IommuUnmapDma)),
        ("VFIO_DEVICE_FEATURE", nameof(VfioIoctl.DeviceFeature)),
        ("VFIO_MIG_GET_PRECOPY_INFO", nameof(VfioIoctl.MigGetPrecopyInfo)),
        ("VFIO_IOMMU_DIRTY_PAGES", nameof(VfioIoctl.IommuDirtyPages)),
        ("VFIO_DEVICE_BIND_IOMMUFD", nameof(VfioIoctl.DeviceBindIommufd)),
        ("VFIO_DEVICE_ATTACH_IOMMUFD_PT", nameof(VfioIoctl.DeviceAttachIommufdPt)),
        ("VFIO_DEVICE_DETACH_IOMMUFD_PT", nameof(VfioIoctl.DeviceDetachIommufdPt)),
        ("IOMMU_DESTROY", nameof(VfioIoctl.IommuDestroy)),
        ("IOMMU_IOAS_ALLOC", nameof(VfioIoctl.IommuIoasAlloc)),
        ("IOMMU_IOAS_MAP", nameof(VfioIoctl.IommuIoasMap)),
        ("IOMMU_IOAS_UNMAP", nameof(VfioIoctl.IommuIoasUnmap)),
    };

    private static readonly (string C, ulong Cs)[] s_constants =
    {
        ("VFIO_API_VERSION", VfioConstants.ApiVersion),
        ("VFIO_TYPE1v2_IOMMU", VfioConstants.Type1v2Iommu),
        ("VFIO_PCI_BAR0_REGION_INDEX", VfioConstants.PciBar0RegionIndex),
        ("VFIO_PCI_ROM_REGION_INDEX", VfioConstants.PciRomRegionIndex),
        ("VFIO_PCI_CONFIG_REGION_INDEX", VfioConstants.PciConfigRegionIndex),
        ("VFIO_PCI_INTX_IRQ_INDEX", VfioConstants.PciIntxIrqIndex),
        ("VFIO_PCI_MSI_IRQ_INDEX", VfioConstants.PciMsiIrqIndex),
        ("VFIO_PCI_MSIX_IRQ_INDEX", VfioConstants.PciMsixIrqIndex),
        ("VFIO_REGION_INFO_CAP_SPARSE_MMAP", VfioConstants.RegionInfoCapSparseMmap),
        ("VFIO_REGION_INFO_CAP_TYPE", VfioConstants.RegionInfoCapType),
        ("VFIO_REGION_INFO_CAP_MSIX_MAPPABLE", VfioConstants.RegionInfoCapMsixMappable),
        ("VFIO_GROUP_FLAGS_VIABLE", VfioGroupStatus.FlagViable),
        ("VFIO_GROUP_FLAGS_CONTAINER_SET", VfioGroupStatus.FlagContainerSet),
        ("VFIO_DEVICE_FLAGS_RESET", VfioDeviceInfo.FlagReset),
        ("VFIO_DEVICE_FLAGS_PCI", VfioDeviceInfo.FlagPci),
        ("VFIO_REGION_INFO_FLAG_READ", VfioRegionInfo.FlagRead),
        ("VFIO_REGION_INFO_FLAG_WRITE", VfioRegionInfo.FlagWrite),
        ("VFIO_REGION_INFO_FLAG_MMAP", VfioRegionInfo.FlagMmap),
        ("VFIO_REGION_INFO_FLAG_CAPS", VfioRegionInfo.FlagCaps),
        ("VFIO_IRQ_INFO_EVENTFD", VfioIrqInfo.FlagEventfd),
        ("VFIO_IRQ_INFO_MASKABLE", VfioIrqInfo.FlagMaskable),
        ("VFIO_IRQ_INFO_AUTOMASKED", VfioIrqInfo.FlagAutomasked),
        ("VFIO_IRQ_INFO_NORESIZE", VfioIrqInfo.FlagNoresize),
        ("VFIO_IRQ_SET_DATA_NONE", VfioIrqSet.DataNone),
        ("VFIO_IRQ_SET_DATA_BOOL", VfioIrqSet.DataBool),
        ("VFIO_IRQ_SET_DATA_EVENTFD", VfioIrqSet.DataEventfd),
        ("VFIO_IRQ_SET_ACTION_MASK", VfioIrqSet.ActionMask),
        ("VFIO_IRQ_SET_ACTION_UNMASK", VfioIrqSet.ActionUnmask),
        ("VFIO_IRQ_SET_ACTION_TRIGGER", VfioIrqSet.ActionTrigger),
        ("VFIO_DMA_MAP_FLAG_READ", VfioIommuType1DmaMap.FlagRead),
        ("VFIO_DMA_MAP_FLAG_WRITE", VfioIommuType1DmaMap.FlagWrite),
        ("VFIO_DEVICE_FEATURE_MASK", VfioDeviceFeature.FeatureMask),
        ("VFIO_DEVICE_FEATURE_GET", VfioDeviceFeature.FlagGet),
        ("VFIO_DEVICE_FEATURE_SET", VfioDeviceFeature.FlagSet),
        ("VFIO_DEVICE_FEATURE_PROBE", VfioDeviceFeature.FlagProbe),
        ("VFIO_DEVICE_FEATURE_MIGRATION", VfioDeviceFeature.Migration),
        ("VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE", VfioDeviceFeature.MigDeviceState),
        ("VFIO_DEVICE_FEATURE_MIG_DATA_SIZE", VfioDeviceFeature.MigDataSize),
        ("VFIO_MIGRATION_STOP_COPY", VfioDeviceFeatureMigration.StopCopy),
        ("VFIO_MIGRATION_P2P", VfioDeviceFeatureMigration.P2p),
        ("VFIO_MIGRATION_PRE_COPY", VfioDeviceFeatureMigration.PreCopy),
        ("VFIO_DEVICE_STATE_ERROR", (ulong)VfioMigrationState.Error),
        ("VFIO_DEVICE_STATE_STOP", (ulong)VfioMigrationState.Stop),
        ("VFIO_DEVICE_STATE_RUNNING", (ulong)VfioMigrationState.Running),
        ("VFIO_DEVICE_STATE_STOP_COPY", (ulong)VfioMigrationState.StopCopy),
        ("VFIO_DEVICE_STATE_RESUMING", (ulong)VfioMigrationState.Resuming),
        ("VFIO_DEVICE_STATE_RUNNING_P2P", (ulong)VfioMigrationState.RunningP2p),
        ("VFIO_DEVICE_STATE_PRE_COPY", (ulong)VfioMigrationState.PreCopy),
        ("VFIO_DEVICE_STATE_PRE_COPY_P2P", (ulong)VfioMigrationState.PreCopyP2p),
        ("VFIO_IOMMU_DIRTY_PAGES_FLAG_START", VfioIommuType1DirtyBitmap.FlagStart),
        ("VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP", VfioIommuType1DirtyBitmap.FlagStop),
        ("VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP", VfioIommuType1DirtyBitmap.FlagGetBitmap),
        ("IOMMU_IOAS_MAP_FIXED_IOVA", IommuIoasMap.FlagFixedIova),
        ("IOMMU_IOAS_MAP_WRITEABLE", IommuIoasMap.FlagWriteable),
        ("IOMMU_IOAS_MAP_READABLE", IommuIoasMap.FlagReadable),
    };

    private static readonly Lazy<Dictionary<string, ulong>> s_c = new(() =>
    {
        Assert.True(File.Exists($"{Headers}/linux/iommufd.h"), $"{Headers}/linux/iommufd.h is missing: run scripts/install-uapi-headers.sh");
        var statements = new List<string>();
        foreach (var s in s_structs)
        {
            statements.Add($"SIZE({s.C})");
            statements.AddRange(s.Fields.Select(f => $"OFF({s.C}, {f.CField})"));
        }
        statements.AddRange(s_ioctls.Select(c => $"CONST({c.C})"));
        statements.AddRange(s_constants.Select(c => $"CONST({c.C})"));
        return CLayoutProbe.Run($"#include \"{Headers}/linux/vfio.h\"\n#include \"{Headers}/linux/iommufd.h\"", statements);
    });

    public static IEnumerable<object[]> Structs() => s_structs.Select(s => new object[] { s.C });

    [Theory]
    [MemberData(nameof(Structs))]
    public void Struct_matches_the_kernel_header(string cName)
    {
        var s = s_structs.Single(x => x.C == cName);
        Assert.Equal(s_c.Value[$"sizeof {s.C}"], (ulong)Marshal.SizeOf(s.Cs));
        foreach (var (cField, csField) in s.Fields)
        {
            ulong c = s_c.Value[$"offsetof {s.C}.{cField}"];
            Assert.True(c == (ulong)Marshal.OffsetOf(s.Cs, csField), $"{s.C}.{cField}: C offset {c}, C# {Marshal.OffsetOf(s.Cs, csField)}");
        }
    }

    [Fact]
    public void Ioctl_numbers_match_the_kernel_headers()
    {
        foreach (var (c, cs) in s_ioctls)
        {
            var value = (nuint)typeof(VfioIoctl).GetField(cs, BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
            Assert.True(s_c.Value[$"const {c}"] == value, $"{c}: C 0x{s_c.Value[$"const {c}"]:x}, C# 0x{value:x}");
        }
    }

    [Fact]
    public void Constants_and_flags_match_the_kernel_headers()
    {
        foreach (var (c, cs) in s_constants)
            Assert.True(s_c.Value[$"const {c}"] == cs, $"{c}: C {s_c.Value[$"const {c}"]}, C# {cs}");
    }
}
