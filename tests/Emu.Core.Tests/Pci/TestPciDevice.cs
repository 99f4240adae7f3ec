using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Core.Tests.Pci;

/// <summary>A PCI function with a 4 KiB memory BAR, a 64-bit 1 MiB BAR, an I/O BAR and two capabilities.</summary>
internal sealed class TestPciDevice : PciDevice
{
    public static new readonly ObjectType TypeInfo = new("test-pci", PciDevice.TypeInfo, t => new TestPciDevice(t), "test function");

    public TestPciDevice(ObjectType type) : base(type)
    {
        SetIdentity(0x1234, 0x5678, 0x010000);
        AddBar(0, PciBarKind.Memory32, 0x1000, MemoryRegion.CreateIo("bar0", 0x1000, new Memory.RecordingHandler(0xB0)));
        AddBar(2, PciBarKind.Memory64, 0x10_0000, MemoryRegion.CreateIo("bar2", 0x10_0000, new Memory.RecordingHandler(0xB2)), prefetchable: true);
        AddBar(4, PciBarKind.Io, 0x20, MemoryRegion.CreateIo("bar4", 0x20, new Memory.RecordingHandler(0xB4)));
        FirstCapability = AddCapability(PciCapabilityId.VendorSpecific, 8);
        SecondCapability = AddCapability(PciCapabilityId.PowerManagement, 8);
        SetInterruptPin(1);
    }

    public int FirstCapability { get; }

    public int SecondCapability { get; }

    protected override void RealizePci(Machine machine)
    {
    }

    public void Plug(PciBus bus, int devfn) => typeof(PciDevice).GetProperty("Bus")!.SetValue(this, bus);
}
