using Emu.Core.Posix;
using Emu.Core.Pci;
using Emu.Devices.Vfio;

namespace Emu.Devices.Tests.Vfio;

// Issue 15, item 6: the MSI-X pending bit array of a passed-through function.
// While a vector is masked its irqfd is unbound and VFIO's interrupts count
// up in the vector's eventfd; the PBA must show them, as the device's would.
public sealed class VfioMsixPendingTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;
    private readonly VfioPciDevice _device;

    public VfioMsixPendingTests()
    {
        _kernel = new FakeVfioKernel(_function);
        _vm = new VfioMachine(_kernel);
        _device = _vm.Add("0000:01:00.0");
        _vm.Cfg(_device, PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandBusMaster);
        _vm.Cfg(_device, 0x42, 2, 0x8000); // MSI-X enable
    }

    public void Dispose()
    {
        _vm.Dispose();
        _kernel.Dispose();
        _function.Dispose();
    }

    private ulong Bar0 => _device.Bars[0]!.MappedAddress!.Value;

    private void ProgramVector(int vector, bool masked)
    {
        ulong entry = Bar0 + FakePciFunction.MsixTableOffset + (ulong)vector * 16;
        _vm.Write(entry, 8, 0xFEE0_1000);
        _vm.Write(entry + 8, 4, 0x4030 + (uint)vector);
        _vm.Write(entry + 12, 4, masked ? 1u : 0u);
    }

    private ulong Pba => _vm.Read(Bar0 + FakePciFunction.MsixPbaOffset, 8);

    [Fact]
    public void An_interrupt_of_a_masked_vector_shows_in_the_pba_until_the_vector_is_unmasked()
    {
        ProgramVector(5, masked: true);
        ProgramVector(6, masked: false);
        MsixCapability msix = _device.Interrupts!.Msix!;
        EventFd masked = msix.Router.TriggerOf(5)!;
        Assert.Equal(0UL, Pba);

        masked.Signal();                                  // the device interrupts on vector 5: VFIO signals its eventfd
        Assert.Equal(1UL << 5, Pba);
        Assert.Equal(1u << 5, (uint)_vm.Read(Bar0 + FakePciFunction.MsixPbaOffset, 4)); // dword reads too

        ProgramVector(5, masked: false);                   // unmasked: bound again, KVM takes the pending count
        Assert.NotNull(_vm.Accelerator.Interrupts.BindingFor(masked.Fd));
        masked.Wait();                                     // (what KVM's irqfd does with it)
        Assert.Equal(0UL, Pba);
    }
}
