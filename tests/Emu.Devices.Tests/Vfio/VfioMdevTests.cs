using Emu.Core.Acpi;
using Emu.Core.Machines;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

// -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID (as QEMU's): a mediated
// device is opened through its own IOMMU group with its UUID as the device name.
public sealed class VfioMdevTests : IDisposable
{
    private const string Uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private const string Path = "/sys/bus/mdev/devices/" + Uuid;
    private readonly FakePciFunction _mdev = new(Uuid, group: 11);
    private readonly FakePciFunction _pci = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;

    public VfioMdevTests()
    {
        _kernel = new FakeVfioKernel(_mdev, _pci);
        _kernel.MdevTypes[Uuid] = "mtty-2";
        _vm = new VfioMachine(_kernel);
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _mdev.Dispose();
        _pci.Dispose();
    }

    private string Fails(string sysfsdev)
    {
        var e = Assert.Throws<MachineConfigurationException>(() => _vm.Add(sysfsdev));
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(_kernel.AllClosed, "a file was left open");
        Assert.Equal(0, _kernel.GroupsInContainers);
        return e.Message;
    }

    [Fact]
    public void A_mediated_device_is_opened_by_its_uuid_in_its_own_group()
    {
        VfioPciDevice device = _vm.Add(Path + "/");
        Assert.Equal(Uuid, device.HostAddress);
        Assert.Contains(_kernel.HandedOut, f => !f.IsClosed);
        Assert.Equal(1, _kernel.GroupsInContainers);
        // The guest sees the mdev's config space (the fake's vendor id).
        Assert.Equal(0x1b36u, _vm.Cfg(device, 0, 2));
    }

    [Fact]
    public void An_mdev_that_refuses_the_irq_info_of_an_index_it_lacks_opens_without_it()
    {
        // mtty counts five IRQ indexes but answers EINVAL for MSI-X (index 2) and beyond.
        _kernel.RefusedIrqIndexes.UnionWith([2u, 3u, 4u]);
        VfioPciDevice device = _vm.Add(Path);
        Assert.Equal(0u, device.Device!.IrqCount(2));
        Assert.Equal(1u, device.Device.IrqCount(0));
    }

    [Fact]
    public void An_mdev_without_an_intx_unmask_eventfd_is_unmasked_at_each_eoi()
    {
        // mtty refuses an unmask eventfd but still masks INTx at each trigger and waits for
        // ACTION_UNMASK: emu answers each EOI (the resampling irqfd's signal) with one.
        _kernel.RefusesUnmaskEventfd = true;
        VfioPciDevice device = _vm.Add(Path);
        int trigger = Assert.Single(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
        var binding = _vm.Accelerator.Interrupts.BindingFor(trigger);
        Assert.NotNull(binding);
        Assert.Equal(PciIntxRouting.Gsi(device.Address.Device, 1), binding!.Value.Gsi);
        Assert.NotNull(binding.Value.Resample);
        Assert.Single(_vm.Accelerator.Interrupts.Bindings);
        // One unmask when INTx is enabled (the device may be masked from before), then one per EOI.
        Assert.Equal(1, Unmasks());
        for (int eoi = 1; eoi <= 3; eoi++)
        {
            int before = _kernel.IrqSets.Count;
            binding.Value.Resample!.Signal();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_kernel.IrqSets.Count == before && DateTime.UtcNow < deadline)
                Thread.Sleep(5);
            Assert.Equal(1 + eoi, Unmasks());
        }
    }

    private int Unmasks() =>
        _kernel.IrqSets.ToArray().Count(s => s.Index == VfioConstants.PciIntxIrqIndex && s.Action == (VfioIrqSet.ActionUnmask | VfioIrqSet.DataNone) && s.Start == 0);

    [Fact]
    public void A_pci_function_directory_is_accepted_as_sysfsdev()
    {
        VfioPciDevice device = _vm.Add("/sys/bus/pci/devices/0000:01:00.0");
        Assert.Equal("0000:01:00.0", device.HostAddress);
    }

    [Fact]
    public void A_path_that_does_not_exist() =>
        Assert.Contains("does not exist (create the mediated device first", Fails("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000000"));

    [Theory]
    [InlineData("/tmp/" + Uuid)]
    [InlineData("/sys/")]
    public void A_path_outside_sysfs(string path) =>
        Assert.Contains("is not a sysfs device directory", Fails(path));

    [Fact]
    public void A_directory_that_is_not_a_mediated_device() =>
        Assert.Contains("sysfsdev='/sys/class/net/eth0' is not a mediated device (it has no mdev_type)", Fails("/sys/class/net/eth0"));

    [Fact]
    public void A_mediated_device_without_its_vendor_driver()
    {
        _kernel.Drivers[Uuid] = null;
        Assert.Contains("is bound to no driver", Fails(Path));
    }

    [Fact]
    public void Host_and_sysfsdev_together_are_refused()
    {
        var device = (VfioPciDevice)VfioPciDevice.TypeInfo.CreateInstance();
        device.Syscalls = _kernel;
        device.SetText("host", "0000:01:00.0");
        device.SetText("sysfsdev", Path);
        var e = Assert.Throws<MachineConfigurationException>(() => _vm.Machine.AddDevice(device));
        Assert.Contains("either host= or sysfsdev=, not both", e.Message);
    }
}
