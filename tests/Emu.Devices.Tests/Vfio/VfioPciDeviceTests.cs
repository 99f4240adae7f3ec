using Emu.Core.Acpi;
using Emu.Core.Interrupts;
using Emu.Core.Memory;
using Emu.Core.Pci;
using Emu.Devices.Vfio;
using Emu.Devices.Vfio.Interop;

namespace Emu.Devices.Tests.Vfio;

// A vfio-pci device in a q35 machine, over a simulated VFIO kernel: what the
// guest sees in config space and the BARs, which parts of the BAR become
// memslots, where interrupts are routed, what is DMA-mapped, and that
// everything is released at the end.
public sealed class VfioPciDeviceTests : IDisposable
{
    private readonly FakePciFunction _function = new();
    private readonly FakeVfioKernel _kernel;
    private readonly VfioMachine _vm;
    private readonly VfioPciDevice _device;

    public VfioPciDeviceTests()
    {
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

    private ulong Bar0 => _device.Bars[0]!.MappedAddress!.Value;

    private void EnableMemory() => _vm.Cfg(_device, PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandBusMaster);

    [Fact]
    public void Guest_sees_the_host_identity_with_VMM_placed_BARs_and_one_function()
    {
        Assert.Equal(0x1b36u, _vm.Cfg(_device, PciRegisters.VendorId, 2));
        Assert.Equal(0x0010u, _vm.Cfg(_device, PciRegisters.DeviceId, 2));
        Assert.Equal(0x010802u, _vm.Cfg(_device, PciRegisters.RevisionId, 4) >> 8);
        Assert.Equal(0u, _vm.Cfg(_device, PciRegisters.HeaderType, 1)); // the host's multi-function bit is hidden
        uint bar0 = _vm.Cfg(_device, PciRegisters.Bar0, 4);
        Assert.Equal(0x4u, bar0 & 0xF); // 64-bit memory, as on the host
        Assert.NotEqual(0xFEB0_0004u, bar0); // but where the VMM placed it
        Assert.Equal(1u, _vm.Cfg(_device, PciRegisters.Bar0 + 8, 4) & 1); // BAR2 is I/O
        Assert.Equal(1u, _vm.Cfg(_device, PciRegisters.InterruptPin, 1));
    }

    [Fact]
    public void BAR_sizing_probe_reports_the_host_BAR_size()
    {
        _vm.Cfg(_device, PciRegisters.Bar0, 4, 0xFFFF_FFFF);
        _vm.Cfg(_device, PciRegisters.Bar0 + 4, 4, 0xFFFF_FFFF);
        Assert.Equal(~(0x4000u - 1) | 0x4, _vm.Cfg(_device, PciRegisters.Bar0, 4));
        Assert.Equal(0xFFFF_FFFFu, _vm.Cfg(_device, PciRegisters.Bar0 + 4, 4));
        // Nothing of the probe reached the device: its BAR registers are the kernel's business.
        Assert.Equal(0xFEB0_0004u, _function.ConfigDword(PciRegisters.Bar0));
    }

    [Fact]
    public void Data_BAR_becomes_memslots_except_the_MSIX_table_and_PBA_pages()
    {
        EnableMemory();
        var deviceSlots = _vm.Vm.Slots.Where(s => s.Region.IsDeviceMemory).ToList();
        FlatRange slot = Assert.Single(deviceSlots);
        Assert.Equal(Bar0, slot.Start);
        Assert.Equal(0x2000ul, slot.Size); // the PBA page (allowed by the kernel) stays trapped too
        Assert.DoesNotContain(_vm.Vm.Slots, s => s.Start < Bar0 + 0x4000 && s.Start + s.Size > Bar0 + 0x2000);
        // A guest store into the mapped part lands in the device's BAR.
        _vm.Write(Bar0 + 0x1008, 4, 0xCAFEF00D);
        Assert.Equal(0xCAFEF00Du, BitConverter.ToUInt32(_function.ReadRegion(0, 0x1008, 4)));
    }

    [Fact]
    public void Trapped_BAR_accesses_reach_the_device_with_the_same_width()
    {
        EnableMemory();
        _function.WriteRegion(0, 0x3800, new byte[] { 0x11, 0x22, 0x33, 0x44 });
        Assert.Equal(0x44332211ul, _vm.Read(Bar0 + 0x3800, 4));
        _vm.Write(Bar0 + 0x3810, 2, 0xBEEF);
        Assert.Equal(new byte[] { 0xEF, 0xBE, 0 }, _function.ReadRegion(0, 0x3810, 3));
        // The I/O BAR is trapped as a whole.
        _vm.Cfg(_device, PciRegisters.Command, 2, PciRegisters.CommandMemory | PciRegisters.CommandIo);
        ulong io = _device.Bars[2]!.MappedAddress!.Value;
        Span<byte> b = stackalloc byte[] { 0x5A };
        _vm.Machine.IoPorts.Write(io + 3, b);
        Assert.Equal(0x5A, _function.ReadRegion(2, 3, 1)[0]);
    }

    [Fact]
    public void Guest_moving_the_BAR_moves_its_memslot()
    {
        EnableMemory();
        ulong before = Bar0;
        ulong target = before + 0x10_0000;
        _vm.Cfg(_device, PciRegisters.Bar0, 4, (uint)target);
        Assert.Equal(target, Bar0);
        FlatRange slot = Assert.Single(_vm.Vm.Slots, s => s.Region.IsDeviceMemory);
        Assert.Equal(target, slot.Start);
        _vm.Write(target + 0x10, 4, 0x12345678);
        Assert.Equal(0x12345678u, BitConverter.ToUInt32(_function.ReadRegion(0, 0x10, 4)));
    }

    [Fact]
    public void INTx_is_an_irqfd_with_resample_on_the_slot_GSI_until_MSIX_is_enabled()
    {
        int[] intx = _kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex);
        int trigger = Assert.Single(intx);
        var binding = _vm.Accelerator.Interrupts.BindingFor(trigger);
        Assert.NotNull(binding);
        Assert.Equal(PciIntxRouting.Gsi(_device.Address.Device, 1), binding!.Value.Gsi);
        Assert.NotNull(binding.Value.Resample);
        Assert.Contains(_kernel.IrqSets, s => s.Index == VfioConstants.PciIntxIrqIndex && s.Action == VfioIrqSet.ActionUnmask && s.Fds.Single() == binding.Value.Resample!.Fd);

        EnableMsix();
        Assert.Empty(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
        Assert.Null(_vm.Accelerator.Interrupts.BindingFor(trigger));
        Assert.Equal(FakePciFunction.MsixVectors, _kernel.CurrentTriggers(VfioConstants.PciMsixIrqIndex).Length);
    }

    private void EnableMsix()
    {
        EnableMemory();
        _vm.Cfg(_device, 0x42, 2, 0x8000);
    }

    private void ProgramVector(int vector, ulong address, uint data, bool masked)
    {
        ulong entry = Bar0 + FakePciFunction.MsixTableOffset + (ulong)vector * 16;
        _vm.Write(entry, 8, address);
        _vm.Write(entry + 8, 4, data);
        _vm.Write(entry + 12, 4, masked ? 1u : 0u);
    }

    [Fact]
    public void An_unmasked_MSIX_vector_routes_the_VFIO_eventfd_to_its_message_and_masking_unroutes_it()
    {
        EnableMsix();
        int[] fds = _kernel.CurrentTriggers(VfioConstants.PciMsixIrqIndex);
        ProgramVector(3, 0xFEE0_1000, 0x4031, masked: false);
        Assert.Equal(new MsiMessage(0xFEE0_1000, 0x4031), _vm.Accelerator.Interrupts.MessageFor(fds[3]));
        Assert.Null(_vm.Accelerator.Interrupts.MessageFor(fds[2])); // still masked since reset

        _vm.Write(Bar0 + FakePciFunction.MsixTableOffset + 3 * 16 + 12, 4, 1);
        Assert.Null(_vm.Accelerator.Interrupts.MessageFor(fds[3]));
        _vm.Write(Bar0 + FakePciFunction.MsixTableOffset + 3 * 16 + 12, 4, 0);
        Assert.Equal(new MsiMessage(0xFEE0_1000, 0x4031), _vm.Accelerator.Interrupts.MessageFor(fds[3]));
        // The guest reads back what it wrote: the table is the VMM's, not the device's.
        Assert.Equal(0x4031ul, _vm.Read(Bar0 + FakePciFunction.MsixTableOffset + 3 * 16 + 8, 4));
        Assert.Equal(new byte[16], _function.ReadRegion(0, FakePciFunction.MsixTableOffset + 3 * 16, 16));
    }

    [Fact]
    public void MSIX_table_accesses_that_are_not_aligned_dwords_or_qwords_are_ignored_and_counted()
    {
        EnableMsix();
        int[] fds = _kernel.CurrentTriggers(VfioConstants.PciMsixIrqIndex);
        ProgramVector(1, 0xFEE0_0000, 0x4021, masked: false);
        ulong data = Bar0 + FakePciFunction.MsixTableOffset + 16 + 8;
        _vm.Write(data, 2, 0xFFFF); // 2 bytes
        _vm.Write(data + 1, 4, 0xFFFF_FFFF); // misaligned dword
        _vm.Write(data - 4, 8, 0); // misaligned qword
        Assert.Equal(0ul, _vm.Read(data + 2, 2));
        Assert.Equal(4, _device.Interrupts!.MsixTableWindow!.IgnoredAccesses);
        Assert.Equal(new MsiMessage(0xFEE0_0000, 0x4021), _vm.Accelerator.Interrupts.MessageFor(fds[1]));
    }

    [Fact]
    public void Disabling_MSIX_gives_the_function_back_INTx()
    {
        EnableMsix();
        _vm.Cfg(_device, 0x42, 2, 0);
        Assert.Empty(_kernel.CurrentTriggers(VfioConstants.PciMsixIrqIndex));
        Assert.Single(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
    }

    [Fact]
    public void Other_config_registers_are_the_devices()
    {
        // Power management control/status at 0x64: written through to the device.
        _vm.Cfg(_device, 0x64, 2, 0x0003);
        Assert.Equal(0x0003u, _function.ConfigDword(0x64) & 0xFFFF);
        // Command goes to the device too (it must decode and master).
        EnableMemory();
        Assert.Equal((uint)(PciRegisters.CommandMemory | PciRegisters.CommandBusMaster), _function.ConfigDword(PciRegisters.Command) & 0xFFFF);
        // Reads of passed-through registers come from the device now, not from a copy.
        _function.WriteRegion(VfioConstants.PciConfigRegionIndex, 0x66, new byte[] { 0xAB });
        Assert.Equal(0xABu, _vm.Cfg(_device, 0x66, 1));
        // The MSI-X capability is the VMM's: a write to its control does not reach the device.
        _vm.Cfg(_device, 0x42, 2, 0xC000);
        Assert.Equal(FakePciFunction.MsixVectors - 1u, _function.ConfigDword(0x40) >> 16);
    }

    [Fact]
    public void A_device_without_a_ROM_shows_no_ROM_BAR()
    {
        _vm.Cfg(_device, PciRegisters.RomAddress, 4, 0xFFFF_FFFF);
        Assert.Equal(0u, _vm.Cfg(_device, PciRegisters.RomAddress, 4));
    }

    [Fact]
    public void Guest_RAM_is_DMA_mapped_and_device_memory_is_not()
    {
        EnableMemory();
        Assert.NotEmpty(_kernel.LiveDma);
        foreach (FlatRange ram in _vm.Machine.SystemMemory.View.Ranges.ToArray().Where(r => r.IsRam && !r.Region.IsDeviceMemory))
            Assert.Contains(_kernel.DmaMaps, m => m.Iova == ram.Start && m.Size == ram.Size && m.Writable && m.Host == (ulong)ram.HostAddress);
        Assert.DoesNotContain(_kernel.DmaMaps, m => m.Iova == Bar0);
        foreach (FlatRange rom in _vm.Machine.SystemMemory.View.Ranges.ToArray().Where(r => r.IsRom))
            Assert.Contains(_kernel.DmaMaps, m => m.Iova == rom.Start && !m.Writable); // readable by the device only
    }

    [Fact]
    public void RAM_added_and_removed_later_is_mapped_and_unmapped()
    {
        using var block = new RamBlock("hot", 0x20_0000);
        var region = MemoryRegion.CreateRam("hot", block);
        _vm.Machine.SystemMemory.Root.AddSubregion(region, 0x1_4000_0000);
        Assert.Equal(0x20_0000ul, _kernel.LiveDma[0x1_4000_0000]);
        _vm.Machine.SystemMemory.Root.RemoveSubregion(region);
        Assert.False(_kernel.LiveDma.ContainsKey(0x1_4000_0000));
        Assert.Contains((0x1_4000_0000ul, 0x20_0000ul), _kernel.DmaUnmaps);
    }

    [Fact]
    public void The_group_is_registered_with_the_accelerator_while_the_device_lives()
    {
        Assert.Single(_vm.Vm.VfioFiles);
        _vm.Machine.RemoveDevice(_device);
        Assert.Empty(_vm.Vm.VfioFiles);
    }

    [Fact]
    public void Reset_resets_the_function_through_VFIO_and_returns_to_INTx()
    {
        EnableMsix();
        _device.Reset();
        Assert.Equal(1, _kernel.Resets);
        Assert.Empty(_kernel.CurrentTriggers(VfioConstants.PciMsixIrqIndex));
        Assert.Single(_kernel.CurrentTriggers(VfioConstants.PciIntxIrqIndex));
        Assert.Equal(0u, _vm.Cfg(_device, 0x42, 2) & 0x8000);
    }

    [Fact]
    public void Removing_the_device_releases_every_fd_mapping_route_and_DMA_map()
    {
        EnableMsix();
        ProgramVector(0, 0xFEE0_0000, 0x4020, masked: false);
        var mapped = _device.PassthroughBars.SelectMany(b => b.Mapped).ToList();
        Assert.NotEmpty(mapped);
        _vm.Machine.RemoveDevice(_device);
        Assert.True(_kernel.AllClosed);
        Assert.Empty(_kernel.LiveDma);
        Assert.Equal(0, _kernel.GroupsInContainers);
        Assert.All(mapped, m => Assert.True(m.IsDisposed));
        Assert.DoesNotContain(_vm.Vm.Slots, s => s.Region.IsDeviceMemory);
        Assert.Equal(0, _vm.Accelerator.Interrupts.ActiveRoutes);
        Assert.Equal(0, _vm.Accelerator.Interrupts.ActiveBindings);
    }

    [Fact]
    public void Trapped_BAR_and_MSIX_table_accesses_allocate_nothing()
    {
        EnableMsix();
        ProgramVector(0, 0xFEE0_0000, 0x4020, masked: false);
        ulong trapped = Bar0 + 0x3800, table = Bar0 + FakePciFunction.MsixTableOffset;
        for (int i = 0; i < 100; i++)
            Exercise(trapped, table);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
            Exercise(trapped, table);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private void Exercise(ulong trapped, ulong table)
    {
        _vm.Write(trapped, 4, 0x1234);
        _vm.Read(trapped, 4);
        _vm.Read(table, 8);
        _vm.Write(table + 8, 4, 0x4020); // same data: no route change
        _vm.Read(Bar0 + FakePciFunction.MsixPbaOffset, 8);
        _vm.Cfg(_device, 0x64, 2);
        _vm.Cfg(_device, PciRegisters.VendorId, 4);
    }
}
