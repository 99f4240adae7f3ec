using Emu.Core.Memory;
using Emu.Core.Migration;
using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// A live migration must also send the pages a passed-through device wrote by
// DMA: the type1 container's VFIO_IOMMU_DIRTY_PAGES log is merged into the
// migration's; a backend without one refuses a live migration instead.
public sealed class VfioDirtyPageTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;

    public VfioDirtyPageTests()
    {
        _kernel = new FakeVfioKernel(_function);
        _vm = new VfioMachine(_kernel);
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _function.Dispose();
    }

    private static List<ulong> DirtyAddresses(DirtyPageLog log)
    {
        var pages = new List<ulong>();
        foreach ((ulong start, ulong[] bits) in log.Harvest())
        {
            for (int i = 0; i < bits.Length * 64; i++)
            {
                if ((bits[i / 64] & (1UL << (i % 64))) != 0)
                    pages.Add(start + ((ulong)i << 12));
            }
        }
        return pages;
    }

    [Fact]
    public void Pages_the_device_wrote_by_dma_reach_the_migration_log_once()
    {
        IMigrationDirtyPageSource device = _vm.Add("0000:01:00.0");
        var log = new DirtyPageLog();
        log.Start(_kernel.LiveDma.Select(m => (m.Key, m.Value)));
        device.StartDirtyLog();
        Assert.True(_kernel.DirtyTracking);

        _kernel.DeviceDirtied.UnionWith([0x5000UL, 0x20_0000UL]);
        device.CollectDirty(log);
        Assert.Equal([0x5000UL, 0x20_0000UL], DirtyAddresses(log));
        // One bitmap request per DMA mapping, each a whole mapping.
        Assert.Equal(_kernel.LiveDma.Select(m => (m.Key, m.Value)).OrderBy(m => m.Key), _kernel.DirtyBitmapRequests.OrderBy(r => r.Iova));

        device.CollectDirty(log);
        Assert.Empty(DirtyAddresses(log));
        device.StopDirtyLog();
        Assert.False(_kernel.DirtyTracking);
    }

    [Fact]
    public void Two_devices_in_one_container_share_its_log_until_the_last_stops()
    {
        using var second = new FakePciFunction("0000:02:00.0", group: 8);
        using var kernel = new FakeVfioKernel(_function, second);
        using var vm = new VfioMachine(kernel);
        IMigrationDirtyPageSource a = vm.Add("0000:01:00.0"), b = vm.Add("0000:02:00.0");
        a.StartDirtyLog();
        b.StartDirtyLog();
        a.StopDirtyLog();
        Assert.True(kernel.DirtyTracking, "stopped while a device still logs");
        b.StopDirtyLog();
        Assert.False(kernel.DirtyTracking);
    }

    [Fact]
    public void A_device_on_the_iommufd_path_refuses_a_live_migration_naming_itself()
    {
        _vm.AddIommufd("fd0");
        IMigrationDirtyPageSource device = _vm.Add("0000:01:00.0", iommufd: "fd0", id: "nic0");
        var e = Assert.Throws<MigrationException>(device.StartDirtyLog);
        Assert.Contains("'nic0' (vfio-pci) cannot migrate live", e.Message);
        Assert.Contains("iommufd", e.Message);
    }
}
