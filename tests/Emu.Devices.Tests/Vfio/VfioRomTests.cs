using Emu.Core.Pci;
using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// The expansion ROM behind the virtualized ROM BAR.
public sealed class VfioRomTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;
    private readonly VfioPciDevice _device;

    public VfioRomTests()
    {
        _function.BarSizes[6] = 0x8000;
        _function.WriteRegion(6, 0, new byte[] { 0x55, 0xAA, 0x40 });
        _kernel = new FakeVfioKernel(_function);
        _vm = new VfioMachine(_kernel);
        _device = _vm.Add("0000:01:00.0");
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _function.Dispose();
    }

    [Fact]
    public void The_ROM_BAR_sizes_like_the_host_ROM_and_decodes_only_when_enabled()
    {
        _vm.Cfg(_device, PciRegisters.RomAddress, 4, 0xFFFF_FFFE);
        Assert.Equal(0xFFFF_8000u, _vm.Cfg(_device, PciRegisters.RomAddress, 4));
        const uint at = 0xFE00_0000;
        _vm.Cfg(_device, PciRegisters.RomAddress, 4, at | 1);
        Assert.Null(_device.Rom!.MappedAddress); // memory decoding is still off
        _vm.Cfg(_device, PciRegisters.Command, 2, PciRegisters.CommandMemory);
        Assert.Equal(at, _device.Rom.MappedAddress);
        Assert.Equal(0xAA55ul, _vm.Read(at, 2));
        _vm.Write(at, 2, 0); // ROM: writes go nowhere
        Assert.Equal(0x55, _function.ReadRegion(6, 0, 1)[0]);
        _vm.Cfg(_device, PciRegisters.RomAddress, 4, at); // enable bit off
        Assert.Null(_device.Rom.MappedAddress);
    }

    [Fact]
    public void An_enabled_ROM_at_address_0_is_not_decoded()
    {
        _vm.Cfg(_device, PciRegisters.Command, 2, PciRegisters.CommandMemory);
        _vm.Cfg(_device, PciRegisters.RomAddress, 4, 1);
        Assert.Null(_device.Rom!.MappedAddress);
        Assert.Equal(1u, _vm.Cfg(_device, PciRegisters.RomAddress, 4));
    }
}
