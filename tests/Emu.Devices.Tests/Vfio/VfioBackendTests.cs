using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// Two functions at once, and the iommufd path.
public sealed class VfioBackendTests : IDisposable
{
    private readonly FakePciFunction _a = new("0000:01:00.0", group: 7);
    private readonly FakePciFunction _b = new("0000:02:00.0", group: 9);
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;

    public VfioBackendTests()
    {
        _kernel = new FakeVfioKernel(_a, _b);
        _vm = new VfioMachine(_kernel);
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public void Two_devices_in_separate_groups_share_one_container_and_one_set_of_DMA_maps()
    {
        var first = _vm.Add("0000:01:00.0");
        int maps = _kernel.DmaMaps.Count;
        var second = _vm.Add("0000:02:00.0");
        Assert.Equal(2, _kernel.GroupsInContainers);
        Assert.Equal(maps, _kernel.DmaMaps.Count); // guest RAM was mapped once, for the container
        Assert.Equal(2, _vm.Vm.VfioFiles.Count);
        Assert.NotEqual(first.Config.GetDword(0x10), second.Config.GetDword(0x10)); // each BAR0 has its own place
        Assert.Equal("container", first.Backend);

        _vm.Machine.RemoveDevice(first);
        Assert.NotEmpty(_kernel.LiveDma); // the other device still needs guest RAM mapped
        _vm.Machine.RemoveDevice(second);
        Assert.Empty(_kernel.LiveDma);
        Assert.True(_kernel.AllClosed);
    }

    [Fact]
    public void Iommufd_devices_share_one_IOAS_that_mirrors_guest_RAM()
    {
        _vm.AddIommufd("iommufd0");
        var first = _vm.Add("0000:01:00.0", iommufd: "iommufd0");
        var second = _vm.Add("0000:02:00.0", iommufd: "iommufd0");
        Assert.Equal("iommufd", first.Backend);
        Assert.Equal(1, _kernel.IoasAllocations);
        Assert.Equal(0, _kernel.GroupsInContainers); // no group was opened
        Assert.NotEmpty(_kernel.LiveDma);
        Assert.Equal(2, _vm.Vm.VfioFiles.Count); // the device cdevs are what KVM is told about
        _vm.Machine.RemoveDevice(first);
        _vm.Machine.RemoveDevice(second);
        Assert.True(_kernel.AllClosed);
    }
}
