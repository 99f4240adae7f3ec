using Emu.Core.Machines;
using Emu.Core.Posix;

namespace Emu.Devices.Tests.Vfio;

// Every way -device vfio-pci can be wrong on the host gives one clear line
// and leaves nothing open, mapped or registered behind.
public sealed class VfioOpenErrorTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;

    public VfioOpenErrorTests()
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

    private string Fails(string host, string? iommufd = null)
    {
        var e = Assert.Throws<MachineConfigurationException>(() => _vm.Add(host, iommufd));
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(_kernel.AllClosed, "a file was left open");
        Assert.Empty(_kernel.LiveDma);
        Assert.Equal(0, _kernel.GroupsInContainers);
        Assert.DoesNotContain(_vm.Vm.Slots, s => s.Region.IsDeviceMemory);
        Assert.Empty(_vm.Vm.VfioFiles);
        return e.Message;
    }

    [Theory]
    [InlineData("01:00")]
    [InlineData("0000:01:00")]
    [InlineData("zz:00.0")]
    [InlineData("0000:01:20.0")]
    [InlineData("")]
    public void A_malformed_host_address(string host) =>
        Assert.Contains("is not a PCI address", Fails(host));

    [Fact]
    public void A_device_that_does_not_exist() =>
        Assert.Contains("0000:02:00.0: no such PCI device", Fails("0000:02:00.0"));

    [Fact]
    public void A_device_bound_to_its_host_driver()
    {
        _kernel.Drivers["0000:01:00.0"] = "nvme";
        Assert.Contains("is bound to nvme, not vfio-pci", Fails("0000:01:00.0"));
    }

    [Fact]
    public void A_device_bound_to_no_driver()
    {
        _kernel.Drivers["0000:01:00.0"] = null;
        Assert.Contains("is not bound to any driver, not vfio-pci", Fails("01:00.0"));
    }

    [Fact]
    public void A_kernel_without_VFIO()
    {
        _kernel.HasDevVfio = false;
        Assert.Contains("/dev/vfio does not exist", Fails("0000:01:00.0"));
    }

    [Fact]
    public void No_permission_on_the_group()
    {
        _kernel.OpenErrors["/dev/vfio/7"] = LibC.EACCES;
        Assert.Contains("permission denied opening /dev/vfio/7", Fails("0000:01:00.0"));
    }

    [Fact]
    public void No_permission_on_the_container()
    {
        _kernel.OpenErrors["/dev/vfio/vfio"] = LibC.EACCES;
        Assert.Contains("permission denied opening /dev/vfio/vfio", Fails("0000:01:00.0"));
    }

    [Fact]
    public void A_group_another_process_holds()
    {
        _kernel.OpenErrors["/dev/vfio/7"] = LibC.EBUSY;
        Assert.Contains("already in use", Fails("0000:01:00.0"));
    }

    [Fact]
    public void A_group_that_is_not_viable_names_the_culprit()
    {
        _kernel.NonViableGroups.Add(7);
        _kernel.GroupMembers[7] = new() { ("0000:01:00.1", "snd_hda_intel") };
        string message = Fails("0000:01:00.0");
        Assert.Contains("IOMMU group 7 is not viable", message);
        Assert.Contains("0000:01:00.1 (snd_hda_intel)", message);
    }

    [Fact]
    public void A_device_already_in_use()
    {
        _kernel.BusyDevices.Add("0000:01:00.0");
        Assert.Contains("already in use", Fails("0000:01:00.0"));
    }

    [Fact]
    public void The_same_device_twice_fails_the_second_and_keeps_the_first()
    {
        var first = _vm.Add("0000:01:00.0");
        var e = Assert.Throws<MachineConfigurationException>(() => _vm.Add("0000:01:00.0"));
        Assert.Contains("already in use by another -device vfio-pci", e.Message);
        Assert.NotNull(first.Device);
        Assert.NotEmpty(_kernel.LiveDma);
        Assert.Single(_kernel.CurrentTriggers(Emu.Devices.Vfio.Interop.VfioConstants.PciIntxIrqIndex)); // the first keeps its interrupts
    }

    [Fact]
    public void Iommufd_on_a_kernel_without_the_device_cdev()
    {
        _kernel.HasCdev = false;
        _vm.AddIommufd("fd0");
        Assert.Contains("no VFIO device cdev", Fails("0000:01:00.0", "fd0"));
    }

    [Fact]
    public void Iommufd_on_a_kernel_without_dev_iommu()
    {
        _kernel.HasIommufd = false;
        _vm.AddIommufd("fd0");
        Assert.Contains("/dev/iommu does not exist", Fails("0000:01:00.0", "fd0"));
    }

    [Fact]
    public void An_iommufd_id_that_does_not_exist() =>
        Assert.Contains("iommufd 'nope' not found", Fails("0000:01:00.0", "nope"));

    [Fact]
    public void Host_is_required()
    {
        var device = (Emu.Devices.Vfio.VfioPciDevice)Emu.Devices.Vfio.VfioPciDevice.TypeInfo.CreateInstance();
        var e = Assert.Throws<MachineConfigurationException>(() => _vm.Machine.AddDevice(device));
        Assert.Contains("host= or sysfsdev= is required", e.Message);
    }
}
