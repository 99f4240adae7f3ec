using System.Buffers.Binary;
using Emu.Core.Machines;
using Emu.Core.Pci;
using Emu.Devices.Pc;
using Emu.Devices.Tests.Fakes;
using Emu.Devices.Virtio.Rng;

namespace Emu.Devices.Tests.Pc;

// ACPI PCI hotplug on q35 as the guest's AML drives it (a machine without a CPU; the test
// does what the DSDT's PCNT and _EJ0 methods do): device_add sets the slot in PCIU and
// raises GPE 1, device_del sets it in PCID, the eject write releases the device.
public sealed class AcpiPciHotplugTests : IDisposable
{
    private const ushort Pciu = AcpiPciHotplugController.IoBase, Pcid = Pciu + 4, Pcej = Pciu + 8;
    private const ushort Gpe0Status = Q35Layout.PmBase + 0x20, Gpe0Enable = Q35Layout.PmBase + 0x28;
    private readonly Q35Machine _machine;

    public AcpiPciHotplugTests()
    {
        _machine = (Q35Machine)DeviceCatalog.CreateRegistry().Find("q35")!.CreateInstance();
        _machine.RamSize = 64UL << 20;
        _machine.Initialize(new FakeAccelerator());
    }

    public void Dispose() => _machine.Dispose();

    private AcpiPciHotplugController Controller => _machine.Lpc!.PciHotplug!;

    // What a guest OS does at boot: ACPI mode, and the GPE that has an _E01 method enabled.
    private void BootAcpiGuest()
    {
        _machine.Lpc!.EnableAcpi(Q35Layout.PmBase);
        _machine.Lpc.PowerManagement!.EnableSci();
        Out(Gpe0Enable, 1, 1 << AcpiPciHotplugController.GpeBit);
    }

    private uint In(ushort port, int size)
    {
        Span<byte> data = stackalloc byte[4];
        _machine.IoPorts.Read(port, data[..size]);
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }

    private void Out(ushort port, int size, uint value)
    {
        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        _machine.IoPorts.Write(port, data[..size]);
    }

    private VirtioRngPci Rng(string id, string? addr = null)
    {
        var device = (VirtioRngPci)VirtioRngPci.TypeInfo.CreateInstance();
        device.Id = id;
        if (addr != null)
            device.SetText(PciDevice.AddrProperty.Name, addr);
        return device;
    }

    private void WaitUntilGone(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_machine.FindDevice(id) != null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{id} was not removed");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void APluggedDeviceIsAnnouncedInPciuWithTheGpeAndReadClearsIt()
    {
        BootAcpiGuest();
        VirtioRngPci device = Rng("rng0", "05.0");
        _machine.HotplugDevice(device);
        Assert.Same(device, _machine.PciBus.Find(5 << 3));
        Assert.Equal(1u << AcpiPciHotplugController.GpeBit, In(Gpe0Status, 1));
        Assert.Equal(1u << 5, In(Pciu, 4));
        Assert.Equal(0u, In(Pciu, 4)); // a latch: PCNT reads it once
        Out(Gpe0Status, 1, 1 << AcpiPciHotplugController.GpeBit); // OSPM acknowledges the edge
        Assert.Equal(0u, In(Gpe0Status, 1));
        // The guest sees the function at once: the vendor ID of virtio.
        Assert.Equal(0x1AF4u, _machine.PciBus.ReadConfig(0, 5 << 3, PciRegisters.VendorId, 2));
    }

    [Fact]
    public void UnplugWaitsForTheGuestsEjectAndThenRemovesTheDevice()
    {
        BootAcpiGuest();
        _machine.HotplugDevice(Rng("rng0", "06.0"));
        _ = In(Pciu, 4);
        _machine.RequestUnplug(_machine.FindDevice("rng0")!);
        Assert.Equal(1u << 6, In(Pcid, 4));
        Assert.Equal(1u << 6, In(Pcid, 4)); // stays until the eject
        Thread.Sleep(50);
        Assert.NotNull(_machine.FindDevice("rng0")); // the guest has not let go yet
        Out(Pcej, 4, 1u << 6);
        WaitUntilGone("rng0");
        Assert.Equal(0u, In(Pcid, 4));
        Assert.Null(_machine.PciBus.Find(6 << 3));
        Assert.Equal(0xFFFFu, _machine.PciBus.ReadConfig(0, 6 << 3, PciRegisters.VendorId, 2));
        // The slot can take a device again.
        _machine.HotplugDevice(Rng("rng1", "06.0"));
        Assert.Equal(1u << 6, In(Pciu, 4));
    }

    [Fact]
    public void WithoutAnAcpiGuestTheUnplugCompletesAtOnce()
    {
        _machine.HotplugDevice(Rng("rng0"));
        _machine.RequestUnplug(_machine.FindDevice("rng0")!);
        WaitUntilGone("rng0");
        Assert.Equal(0u, In(Pcid, 4));
    }

    [Fact]
    public void AResetCompletesUnplugsTheGuestDidNotAnswer()
    {
        BootAcpiGuest();
        _machine.HotplugDevice(Rng("rng0", "07.0"));
        _machine.RequestUnplug(_machine.FindDevice("rng0")!);
        _machine.Lpc!.Reset();
        WaitUntilGone("rng0");
        Assert.Equal(0u, Controller.PendingRemovals);
    }

    [Fact]
    public void HostileEjectWritesAreIgnoredAndCounted()
    {
        BootAcpiGuest();
        _machine.HotplugDevice(Rng("rng0", "08.0"));
        Out(Pcej, 4, 1u << 31); // the LPC bridge, part of the board
        Out(Pcej, 4, 1u << 0); // the host bridge
        Out(Pcej, 4, 1u << 9); // an empty slot
        Assert.Equal(3, Controller.IgnoredEjects);
        Out(Pcej, 2, 1u << 8); // not a 32-bit write: ignored
        Out(Pcej + 1, 1, 1); // not at the register: ignored
        Out(Pciu, 4, 0xFFFF_FFFF); // read-only registers
        Thread.Sleep(50);
        Assert.NotNull(_machine.FindDevice("rng0"));
        Assert.NotNull(_machine.PciBus.Find(31 << 3));
        Assert.NotNull(_machine.PciBus.Find(0));
        // A guest may eject a hot-pluggable device it was not asked to release (sysfs power off).
        Out(Pcej, 4, 1u << 8);
        // Again at once: the removal runs on the thread pool, so this write finds the device
        // either still on its way out (it is not handed over twice: removing it twice would
        // throw on a pool thread and end the process) or its slot already empty (ignored).
        Out(Pcej, 4, 1u << 8);
        WaitUntilGone("rng0");
        Assert.InRange(Controller.IgnoredEjects, 3, 4);
    }

    [Fact]
    public void SlotsThatCannotTakeADeviceAreRefusedWithAReason()
    {
        _machine.HotplugDevice(Rng("rng0", "04.0"));
        MachineConfigurationException Refused(VirtioRngPci device) => Assert.Throws<MachineConfigurationException>(() => _machine.HotplugDevice(device));
        Assert.Equal("PCI: slot 31 does not support hotplug (slots 1 to 30 do)", Refused(Rng("a", "1f.0")).Message);
        Assert.Equal("PCI: function 1 of slot 5: only function 0 can be hot-plugged", Refused(Rng("b", "05.1")).Message);
        Assert.Equal("PCI: slot 4 function 0 not available for virtio-rng-pci, in use by virtio-rng-pci", Refused(Rng("c", "04.0")).Message);
        Assert.Null(_machine.FindDevice("a"));
        Assert.Null(_machine.FindDevice("c"));
    }

    [Fact]
    public void TheDsdtOffersEverySlotTheBoardDoesNotUse()
    {
        _machine.HotplugDevice(Rng("rng0", "03.0"));
        var described = Controller.Describe();
        Assert.Equal(Enumerable.Range(1, 30), described.Slots); // slot 3 holds a user device: it can be unplugged too
        Assert.Equal(AcpiPciHotplugController.IoBase, described.IoBase);
    }
}
