using Emu.Core.Interrupts;
using Emu.Core.Machines;
using Emu.Core.Memory;
using Emu.Core.Objects;
using Emu.Core.Pci;

namespace Emu.Core.Tests.Pci;

/// <summary>A function with MSI-X (4 vectors, table and PBA in BAR 0) and MSI (4 vectors).</summary>
internal sealed class TestMsiDevice : PciDevice
{
    public static new readonly ObjectType TypeInfo = new("test-msi", PciDevice.TypeInfo, null, "test function with MSI and MSI-X");

    public TestMsiDevice(IInterruptController controller) : base(TypeInfo)
    {
        SetIdentity(0x1234, 0x0001, 0xFF0000);
        Msix = AddCapability(new MsixCapability(4, 0, 0, 0, 0x800, new MsiVectorRouter(controller, 4)));
        Msi = AddCapability(new MsiCapability(4, new MsiVectorRouter(controller, 4)));
        var bar = MemoryRegion.CreateContainer("bar0", 0x1000);
        bar.AddSubregion(MemoryRegion.CreateIo("table", (ulong)Msix.TableSize, Msix.TableHandler), 0);
        bar.AddSubregion(MemoryRegion.CreateIo("pba", (ulong)Msix.PbaSize, Msix.PbaHandler), 0x800);
        AddBar(0, PciBarKind.Memory32, 0x1000, bar);
    }

    public MsixCapability Msix { get; }

    public MsiCapability Msi { get; }

    protected override void RealizePci(Machine machine)
    {
    }
}
