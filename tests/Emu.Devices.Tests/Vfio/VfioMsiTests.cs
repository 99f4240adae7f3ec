using Emu.Core.Interrupts;
using Emu.Core.Pci;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

// MSI (not MSI-X) on a passed-through function.
public sealed class VfioMsiTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private FakeVfioKernel? _kernel;
    private VfioMachine? _vm;

    public void Dispose()
    {
        _vm?.Dispose();
        _kernel?.Dispose();
        _function.Dispose();
    }

    private VfioPciDevice Start(bool fullMsi)
    {
        _function.AddMsi(fullMsi);
        _kernel = new FakeVfioKernel(_function);
        _vm = new VfioMachine(_kernel);
        return _vm.Add("0000:01:00.0");
    }

    private List<byte> CapabilityIds(VfioPciDevice d)
    {
        var ids = new List<byte>();
        for (int p = (int)_vm!.Cfg(d, PciRegisters.CapabilitiesPointer, 1); p != 0 && ids.Count < 16; p = (int)_vm.Cfg(d, p + 1, 1))
            ids.Add((byte)_vm.Cfg(d, p, 1));
        return ids;
    }

    [Fact]
    public void A_64_bit_maskable_MSI_capability_is_emulated_and_its_vectors_routed_through_VFIO()
    {
        VfioPciDevice d = Start(fullMsi: true);
        Assert.Equal(new byte[] { PciCapabilityId.MsiX, PciCapabilityId.PowerManagement, PciCapabilityId.Msi }, CapabilityIds(d));
        _vm!.Cfg(d, 0x74, 4, 0xFEE0_2000);
        _vm.Cfg(d, 0x78, 4, 0);
        _vm.Cfg(d, 0x7C, 2, 0x4051);
        _vm.Cfg(d, 0x72, 2, 1 | (1 << 4)); // enable, two vectors
        int[] fds = _kernel!.CurrentTriggers(VfioConstants.PciMsiIrqIndex);
        Assert.Equal(2, fds.Length);
        Assert.Empty(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
        Assert.Equal(new MsiMessage(0xFEE0_2000, 0x4050), _vm.Accelerator.Interrupts.MessageFor(fds[0]));
        Assert.Equal(new MsiMessage(0xFEE0_2000, 0x4051), _vm.Accelerator.Interrupts.MessageFor(fds[1]));
        // Masking vector 1 (mask bits at +16) unroutes it.
        _vm.Cfg(d, 0x80, 4, 2);
        Assert.Null(_vm.Accelerator.Interrupts.MessageFor(fds[1]));
        // The device never saw the capability change: it is the VMM's.
        Assert.Equal(0u, _function.ConfigDword(0x74));
        _vm.Cfg(d, 0x72, 2, 0);
        Assert.Empty(_kernel.CurrentTriggers(VfioConstants.PciMsiIrqIndex));
        Assert.Single(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
    }

    [Fact]
    public void A_shorter_MSI_capability_is_unlinked_so_the_guest_uses_MSIX_or_INTx()
    {
        VfioPciDevice d = Start(fullMsi: false);
        Assert.Equal(new byte[] { PciCapabilityId.MsiX, PciCapabilityId.PowerManagement }, CapabilityIds(d));
        Assert.Null(d.Interrupts!.Msi);
    }
}
